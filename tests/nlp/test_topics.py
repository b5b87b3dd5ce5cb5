import random

import pytest

from stancemap.config import TopicConfig
from stancemap.nlp.topics import TopicModeler, corpus_signature

THEMES = {
    "rail": "railway freight container train transit corridor wagons station logistics border",
    "gas": "gas pipeline turkmenistan export energy field compressor supply contract volume",
    "school": "students scholarship university language exchange teachers campus study courses",
}


def corpus(seed=1, per_theme=25):
    rng = random.Random(seed)
    passages = []
    for theme, words in THEMES.items():
        vocab = words.split()
        for i in range(per_theme):
            body = " ".join(rng.choice(vocab) for _ in range(25))
            passages.append((f"{theme}-{i:03d}", f"The report says {body}."))
    return passages


def fit(passages, config, seed, codebook):
    modeler = TopicModeler(config, seed, codebook)
    return modeler.fit(passages, corpus_signature(passages, config, seed, codebook))


@pytest.mark.parametrize("measure", ["c_v", "c_npmi"])
def test_coherence_picks_the_number_of_topics(codebook, measure):
    config = TopicConfig(candidates=[2, 3, 6], seed_words=False, passes=10, coherence=measure)
    result = fit(corpus(), config, 0, codebook)
    assert [s["num_topics"] for s in result.selection] == [2, 3, 6]
    best = max(result.selection, key=lambda s: s["coherence"])
    assert result.num_topics == best["num_topics"]


def test_each_candidate_fit_is_announced(codebook):
    config = TopicConfig(candidates=[2, 3], seed_words=False, passes=2)
    seen = []
    passages = corpus()
    TopicModeler(config, 0, codebook).fit(passages, corpus_signature(passages, config, 0, codebook),
                                          on_candidate=lambda *a: seen.append(a))
    assert seen == [(2, 1, 2), (3, 2, 2)]


def test_a_three_topic_model_recovers_the_themes(codebook):
    result = fit(corpus(), TopicConfig(num_topics=3, seed_words=False, passes=20), 0, codebook)
    assert result.selection == [{"num_topics": 3, "coherence": None}]
    labels = " ".join(t["label"] for t in result.topics)
    assert all(any(word in labels for word in words.split()[:6]) for words in THEMES.values())
    top = {pid.split("-")[0]: max(shares, key=lambda s: s[1])[0] for pid, shares in result.shares.items()}
    assert len(set(top.values())) == 3  # each theme has its own dominant topic


def test_same_seed_same_topics(codebook):
    config = TopicConfig(num_topics=3, passes=5)
    a, b = fit(corpus(), config, 7, codebook), fit(corpus(), config, 7, codebook)
    assert a.topics == b.topics and a.shares == b.shares
    assert a.signature == b.signature


def test_seed_words_become_eta_priors(codebook):
    from gensim.corpora import Dictionary

    modeler = TopicModeler(TopicConfig(), 0, codebook)
    dictionary = Dictionary([["railway", "gas", "students", "pipeline"]])
    eta = modeler._eta(dictionary, 3)
    transport, energy = 0, 2  # sectors in codebook order: transport, trade_investment, energy...
    assert eta[transport, dictionary.token2id["railway"]] == 1.0
    assert eta[energy, dictionary.token2id["pipeline"]] == 1.0
    assert eta[transport, dictionary.token2id["students"]] == pytest.approx(1 / 3)


def test_too_little_text_is_reported_not_fitted(codebook):
    result = fit(corpus(per_theme=2), TopicConfig(), 0, codebook)
    assert result.num_topics == 0 and "too little text" in result.skipped
