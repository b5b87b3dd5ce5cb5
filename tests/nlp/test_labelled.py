"""The public labelled sets read in their upstream formats (../shared/testdata/labelled)."""

from collections import Counter

from stancemap.nlp.labelled import persent, public_splits, rusentne, split_by_group, stance_csv
from conftest import DATA, SHARED, needs_shared

LABELLED = SHARED / "testdata" / "labelled"


@needs_shared
def test_persent_paragraphs_name_their_target():
    items = persent(LABELLED / "persent", "dev")
    assert len(items) == 4096  # paragraphs of the documents whose labels match their paragraphs
    assert Counter(i.label for i in items).keys() == {"positive", "negative", "neutral"}
    named = [i for i in items if i.spans]
    assert len(named) > 0.6 * len(items)
    assert all(i.text[s:e] == i.target for i in named for s, e in i.spans)
    assert "[TGT]" not in "".join(i.text for i in items)


@needs_shared
def test_rusentne_marks_the_entity_and_splits_by_sentence():
    items = rusentne(LABELLED / "rusentne")
    assert len(items) == 6637 and {i.lang for i in items} == {"ru"}
    assert all(i.text[s:e] == i.target for i in items[:500] for s, e in i.spans)
    train, test = split_by_group(items)
    assert 0.15 < len(test) / len(items) < 0.25
    assert not {i.group for i in train} & {i.group for i in test}  # a sentence stays whole
    assert split_by_group(items) == (train, test)  # fixed, not drawn
    again = public_splits(LABELLED, seed=0, ru_items=50, test_items=20)
    assert again == public_splits(LABELLED, seed=0, ru_items=50, test_items=20)
    assert len(again["ru"][0]) == 50 and len(again["en"][1]) == 20


def test_the_project_stance_set():
    items = stance_csv(DATA / "stance_labelled.csv")
    assert len(items) == 300 and {i.label for i in items} == {"favour", "against", "neutral"}
