from stancemap.corpus.dedup import MinHasher, NearDuplicateIndex, similarity

STORY = ("Leaders of China, Kazakhstan, Kyrgyzstan, Tajikistan, Turkmenistan and Uzbekistan "
         "gathered in Astana for the second China Central Asia Summit, two years after the "
         "first meeting in Xian. Officials said the talks would concentrate on railways, "
         "pipelines and trade facilitation under the Belt and Road Initiative. Energy remained "
         "central, and civil society groups called for loan agreements to be published.")


def test_syndicated_copy_is_near_and_other_text_is_not():
    hasher = MinHasher(seed=1)
    copy = STORY + " Distributed by Eurasia Wire."
    other = ("Farmers in Naryn want simpler phytosanitary rules so that they can export meat "
             "and beans to Xinjiang instead of watching trucks pass through their village.")
    assert similarity(hasher.signature(STORY), hasher.signature(copy)) > 0.7
    assert similarity(hasher.signature(STORY), hasher.signature(other)) < 0.1


def test_index_finds_the_best_match_above_threshold():
    hasher = MinHasher(seed=1)
    index = NearDuplicateIndex(threshold=0.7)
    index.add("a", hasher.signature(STORY))
    assert index.query(hasher.signature(STORY + " Updated at noon."))[0] == "a"
    assert index.query(hasher.signature("An unrelated note about Osh bazaar prices.")) is None


def test_signatures_are_reproducible_with_the_seed():
    assert (MinHasher(seed=3).signature(STORY) == MinHasher(seed=3).signature(STORY)).all()


def test_chinese_text_uses_character_shingles():
    hasher = MinHasher(seed=1)
    text = ("中国与中亚国家的合作不断深化，贸易额屡创新高，能源合作成果丰硕。双方在交通基础设施、"
            "数字经济和农业领域的合作也取得了新的进展，跨境电商发展迅速。")
    assert similarity(hasher.signature(text), hasher.signature(text + "（新华社）")) > 0.8
    assert similarity(hasher.signature(text), hasher.signature("今天天气很好，我们去公园散步吧。")) < 0.1
