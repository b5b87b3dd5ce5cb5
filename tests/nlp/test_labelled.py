"""The public labelled sets read in their upstream formats (../shared/testdata/labelled)."""

from collections import Counter

from stancemap.nlp.default_models import Query
from stancemap.nlp.labelled import (by_hash, newsmtsc, persent, rusentne, rusentrel, split_by_group,
                                    stance_csv)
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
    assert by_hash(train, 50) == by_hash(list(reversed(train)), 50)[::-1] and len(by_hash(train, 50)) == 50


def test_the_project_stance_set():
    items = stance_csv(DATA / "stance_labelled.csv")
    assert len(items) == 300 and {i.label for i in items} == {"favour", "against", "neutral"}


def test_newsmtsc_gives_one_item_per_target_grouped_by_article():
    items = newsmtsc(DATA / "labelled" / "newsmtsc")
    assert [(i.target, i.label) for i in items] == [("Jane Roe", "positive"), ("Smith", "negative"),
                                                    ("Smith", "neutral"), ("Lee", "positive")]
    assert all(i.text[s:e] == i.target for i in items for s, e in i.spans)
    assert items[0].group == items[2].group == "newsmtsc-allsides_7_1" != items[3].group


def test_rusentrel_reads_the_author_attitude_in_target_windows():
    """The author's attitude toward a place, read in each window naming it (inflected forms found
    through the synonym list); a place the article never names is left out."""
    items = rusentrel(DATA / "labelled" / "rusentrel", "author")
    assert {(i.target, i.label, i.group) for i in items} == {("Россия", "negative", "rusentrel-1")}
    assert len(items) == 2  # two windows: "Россия снова нарушила…" and "…о России с тревогой"
    assert [i.text[s:e] for i in items for s, e in i.spans] == ["Россия", "России"]
    assert "Author, Unknown" not in "".join(i.text for i in items)
    assert "Погода" in items[0].text and "Эксперты" in items[0].text  # a sentence either side
    assert "Потом ужин" not in items[1].text


def test_rusentrel_actor_attitudes_come_from_sentences_naming_both():
    items = rusentrel(DATA / "labelled" / "rusentrel", "actors")
    assert [(i.target, i.label, i.text) for i in items] == [
        ("Украина", "positive", "США поддержали Украину."),
        ("США", "negative", "Путин осудил действия США на встрече.")]


def test_a_target_can_be_marked_in_what_the_head_reads():
    text = "Critics called Smith a liar, but Jones praised him."
    query = Query("en", "Smith", text, [(15, 20)], [(0, len(text))])
    assert query.marked == "Critics called [Smith] a liar"
    assert query.context == "Critics called Smith a liar"


def test_a_fixed_sample_does_not_depend_on_order():
    items = newsmtsc(DATA / "labelled" / "newsmtsc")
    assert by_hash(items, 2) == [i for i in by_hash(items[::-1], 2)[::-1]] and len(by_hash(items, 2)) == 2
    assert by_hash(items, 0) == items


@needs_shared
def test_the_public_sets_split_by_article():
    from stancemap.nlp.labelled import labelled_sets

    sets = labelled_sets(LABELLED)
    lang, train, test = sets["newsmtsc"]
    assert lang == "en" and len(train) + len(test) == 8739 and 0.15 < len(test) / 8739 < 0.25
    assert not {i.group for i in train} & {i.group for i in test}  # an article stays whole
    assert all(i.text[s:e] == i.target for i in train[:500] for s, e in i.spans)
    author = sets["rusentrel-author"][1] + sets["rusentrel-author"][2]
    assert {i.label for i in author} == {"positive", "negative"} and "Россия" in {i.target for i in author}
    assert all(i.spans for i in author)
    lang, train, test = sets["rusentrel-actors"]
    assert lang == "ru" and test and not {i.group for i in train} & {i.group for i in test}
