"""The multilingual embedding topic method on real e5 embeddings of a small hand-written corpus
(tests/data/topics_multilingual.tsv: railways, gas and study in China, in en/ru/zh/kk, the
Russian rows translating the first English ones) and Article 1 of the UDHR in six languages."""

import csv
import shutil

import numpy as np
import pytest

from stancemap.config import Config, TopicConfig
from stancemap.nlp.embedding_topics import EmbeddingTopics, fit_embedding_topics

from conftest import DATA

pytestmark = pytest.mark.slow  # encodes ~60 passages with multilingual-e5 once per module


def _rows(name):
    with open(DATA / name, encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.fixture(scope="module")
def encoded():
    from stancemap.nlp.encoder import E5Encoder

    rows = _rows("topics_multilingual.tsv")
    udhr = _rows("udhr_article1.tsv")
    passages = [(r["id"], r["text"], r["lang"]) for r in rows]
    passages += [(f"udhr-{r['lang']}", r["text"], r["lang"]) for r in udhr]
    vectors = E5Encoder().encode([text for _, text, _ in passages])
    return passages, vectors


def fit(passages, vectors, seed=0, num_topics=3):
    config = TopicConfig(num_topics=num_topics)
    return fit_embedding_topics(passages, vectors, config, seed, "0" * 64, {}, {})


def top(result):
    return {pid: max(row, key=lambda s: s[1])[0] for pid, row in result.shares.items()}


def themed(encoded):
    passages, vectors = encoded
    keep = [i for i, p in enumerate(passages) if not p[0].startswith("udhr")]
    return [passages[i] for i in keep], vectors[keep]


def test_a_russian_passage_and_its_english_translation_share_a_topic(encoded):
    result = fit(*themed(encoded))
    main = top(result)
    for theme in ("rail", "gas", "edu"):
        assert main[f"{theme}-ru-1"] == main[f"{theme}-en-1"]
    assert len({main[f"{theme}-en-1"] for theme in ("rail", "gas", "edu")}) == 3


def test_every_language_with_passages_gets_topics_and_terms(encoded):
    passages, vectors = themed(encoded)
    result = fit(passages, vectors)
    main = top(result)
    assert set(main) == {p[0] for p in passages}  # every passage has a main topic
    for lang in ("en", "ru", "zh", "kk"):
        assert any(t["terms_by_lang"].get(lang) for t in result.topics)
    zh_terms = {w for t in result.topics for w, _ in t["terms_by_lang"].get("zh", [])}
    assert "天然气" in zh_terms or "铁路" in zh_terms  # jieba words, not whole sentences
    ru_terms = {w for t in result.topics for w, _ in t["terms_by_lang"].get("ru", [])}
    assert "газопровод" in ru_terms or "студент" in ru_terms  # lemmas
    for topic in result.topics:
        assert len(topic["representatives"]) == 3 and topic["label"]
        assert sum(topic["languages"].values()) == topic["passages"]


def test_labels_are_phrases(encoded):
    result = fit(*themed(encoded))
    assert any(" " in part for t in result.topics for part in t["label"].split(", "))


def test_same_seed_same_topics(encoded):
    passages, vectors = themed(encoded)
    a, b = fit(passages, vectors, seed=5, num_topics=0), fit(passages, vectors, seed=5, num_topics=0)
    assert a.topics == b.topics and a.shares == b.shares and a.selection == b.selection
    assert [s["num_topics"] for s in a.selection] == [4, 6, 8, 10, 12]


def test_udhr_article_1_falls_in_one_topic_in_every_language(encoded):
    passages, vectors = encoded
    result = fit(passages, vectors, num_topics=4)
    main = top(result)
    assert len({main[p[0]] for p in passages if p[0].startswith("udhr")}) == 1


def test_stored_state_assigns_as_the_fit_did(encoded):
    passages, vectors = themed(encoded)
    result = fit(passages, vectors)
    model = EmbeddingTopics.from_json(result.params["state"])
    langs = [lang for *_, lang in passages]
    shares = model.transform(vectors, langs)
    assert list(shares.argmax(axis=1)) == [top(result)[p[0]] for p in passages]
    assert np.allclose(shares.sum(axis=1), 1)


def test_project_fit_reuse_and_assign(tmp_path, codebook, encoded):
    """A project: fit stores codes for every language, an unchanged corpus is reused without
    encoding anything, and --assign places a new document's passages without refitting."""
    from stancemap.corpus.ingest import ingest
    from stancemap.corpus.store import Store
    from stancemap.nlp.pipeline import assign_topics, fit_topics

    rows = _rows("topics_multilingual.tsv")
    folder = tmp_path / "in"
    folder.mkdir()
    for row in rows:
        (folder / f"{row['id']}.txt").write_text(row["text"], encoding="utf-8")
    project = tmp_path / "p"
    ingest(folder, project)
    config = Config()
    config.topics.num_topics = 3
    encoded_counts = []
    first = fit_topics(project, config, codebook, on_encode=lambda done, todo: encoded_counts.append(todo))
    assert first.num_topics == 3 and not first.reused and encoded_counts
    store = Store(project, create=False)
    topic_codes = store.code_values("topic")
    langs = {lang for *_, lang in store.passages_for_topics(["*"])}
    store.dispose()
    assert len(topic_codes) == len(rows) and {"en", "ru", "zh", "kk"} <= langs
    encoded_counts.clear()
    again = fit_topics(project, config, codebook, force=True,
                       on_encode=lambda done, todo: encoded_counts.append(todo))
    assert encoded_counts == [] and again.topics == first.topics  # vectors from the cache
    new = tmp_path / "more"
    shutil.copytree(folder, new)
    (new / "late.txt").write_text("Новый газопровод из Туркменистана в Китай начнёт поставки газа "
                                  "в следующем году.", encoding="utf-8")
    ingest(new, project)
    assigned = assign_topics(project, config)
    assert assigned.passages == 1 and assigned.model_id == first.model_id
    store = Store(project, create=False)
    late = [pid for pid, *_ in store.passages_for_topics(["*"]) if pid not in topic_codes]
    codes = store.code_values("topic")
    store.dispose()
    gas = {t["id"] for t in first.topics if "газ" in {w for w, _ in t["terms_by_lang"].get("ru", [])}}
    assert late and codes[late[0]] & gas


@pytest.mark.parametrize("lang, text, kept", [
    ("kk", "Қазақстан және Қытай арасында теміржол туралы келісім 2019 жылы болды.",
     ["қазақстан", "қытай", "теміржол", "келісім"]),
    ("uz", "Oʻzbekiston va Xitoy oʻrtasida temir yoʻl boʻyicha kelishuv 2019 yili imzolandi.",
     ["oʻzbekiston", "xitoy", "temir", "yoʻl", "kelishuv", "imzolandi"]),
])
def test_function_words_are_no_topic_terms_in_kazakh_and_uzbek(lang, text, kept):
    from stancemap.nlp.topic_terms import words

    assert [w for w in words(text, lang) if w] == kept
