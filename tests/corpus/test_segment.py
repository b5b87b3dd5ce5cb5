from conftest import DATA, HOSTILE, needs_shared
from stancemap.corpus.segment import is_transcript, paragraphs, segment


def _check_offsets(text, spans):
    for span in spans:
        piece = text[span.start:span.end]
        assert piece == piece.strip() and piece


def test_qa_transcript_gets_turns():
    text = "Header line\n\nQ: How is the road?\n\nA: Good, but no jobs.\nStill no jobs.\n\nQ: Why?\n\nA: They brought workers."
    spans, transcript = segment(text)
    assert transcript
    assert [(s.speaker, text[s.start:s.end]) for s in spans] == [
        (None, "Header line"), ("Q", "How is the road?"),
        ("A", "Good, but no jobs.\nStill no jobs."), ("Q", "Why?"), ("A", "They brought workers.")]


def test_named_speakers_and_moderator():
    text = (DATA / "interview_named.txt").read_text(encoding="utf-8")
    spans, transcript = segment(text)
    assert transcript
    speakers = [s.speaker for s in spans]
    assert speakers == [None, "Moderator", "Aibek Toktogulov", "Gulnara Osmonova", "Moderator",
                        "Aibek Toktogulov"]
    _check_offsets(text, spans)


def test_russian_labels():
    text = (DATA / "interview_ru.txt").read_text(encoding="utf-8")
    spans, transcript = segment(text)
    assert transcript
    assert [s.speaker for s in spans] == ["Интервьюер", "Респондент", "Интервьюер", "Респондент"]


def test_numbered_respondents_and_interviewer():
    text = "Interviewer: Hello.\nR1: Hi, the port is busy.\nR2: Too busy.\nInterviewer: Why?\nR1: Trains."
    spans, _ = segment(text)
    assert [s.speaker for s in spans] == ["Interviewer", "R1", "R2", "Interviewer", "R1"]
    assert text[spans[1].start:spans[1].end] == "Hi, the port is busy."


def test_prose_with_a_note_line_is_not_a_transcript():
    text = (DATA / "policy_note.md").read_text(encoding="utf-8")
    assert not is_transcript(text)
    spans, transcript = segment(text)
    assert not transcript
    assert len(spans) == 4


def test_single_metadata_label_is_not_a_speaker():
    text = ("Interview 7\nLocation: Osh.\n\nInterviewer: Hello.\n\nR1: Hello.\n\n"
            "Interviewer: Bye.\n\nR1: Bye.")
    spans, _ = segment(text)
    assert spans[0].speaker is None and "Location: Osh." in text[spans[0].start:spans[0].end]


def test_long_paragraph_is_cut_at_sentences():
    sentence = "The railway brought new freight and new worries to the valley. "
    text = sentence * 100
    spans = paragraphs(text.strip(), max_chars=500)
    assert len(spans) > 10
    assert all(s.end - s.start <= 500 for s in spans)
    assert all(text[s.start:s.end].endswith(".") for s in spans)
    _check_offsets(text, spans)


def test_sentence_longer_than_limit_is_cut_at_spaces():
    text = " ".join(["word"] * 400)
    spans = paragraphs(text, max_chars=300)
    assert all(s.end - s.start <= 300 for s in spans)
    assert " ".join(text[s.start:s.end] for s in spans) == text


ZOOM_VTT = """WEBVTT

1
00:00:01.000 --> 00:00:04.000
Aigerim Bekova
Good morning. Thank you for joining us today.

2
00:00:05.000 --> 00:00:09.000
Timur Sadykov
Thanks. The Khorgos dry port changed our business a lot.
We now ship twice as much to Urumqi.

3
00:00:10.000 --> 00:00:12.000
Aigerim Bekova
What changed at customs?
"""

TEAMS_DOCX_TEXT = """Meeting notes

Aigerim Bekova   0:03
Good morning. Thank you for joining us today.

Timur Sadykov   0:10
Thanks. The Khorgos dry port changed our business a lot.

Aigerim Bekova   1:02
What changed at customs?

Timur Sadykov   1:15
Trucks wait less.
"""


def test_cue_timed_transcript_with_names_on_their_own_line():
    spans, transcript = segment(ZOOM_VTT)
    assert transcript
    assert [(s.speaker, ZOOM_VTT[s.start:s.end]) for s in spans] == [
        ("Aigerim Bekova", "Good morning. Thank you for joining us today."),
        ("Timur Sadykov", "Thanks. The Khorgos dry port changed our business a lot.\n"
                          "We now ship twice as much to Urumqi."),
        ("Aigerim Bekova", "What changed at customs?")]


def test_names_followed_by_a_time_open_turns_and_a_title_stays_a_paragraph():
    spans, transcript = segment(TEAMS_DOCX_TEXT)
    assert transcript
    assert [s.speaker for s in spans] == [None, "Aigerim Bekova", "Timur Sadykov",
                                          "Aigerim Bekova", "Timur Sadykov"]
    assert TEAMS_DOCX_TEXT[spans[-1].start:spans[-1].end] == "Trucks wait less."


def test_headings_on_their_own_line_are_not_speakers():
    text = ("Introduction\n\nThe Khorgos dry port is a logistics hub.\nIt opened in 2015.\n\n"
            "Customs\n\nTrucks wait less than before.\n\nOutlook\n\nMore trains to Europe.\n")
    assert segment(text)[1] is False


@needs_shared
def test_real_teams_transcript():
    from stancemap.corpus.readers import READERS

    (doc,) = READERS["docx"](HOSTILE / "unstructured" / "teams_chat.docx", {})
    spans, transcript = segment(doc.text)
    assert transcript
    assert [(s.speaker, doc.text[s.start:s.end]) for s in spans] == [
        ("Some Body", "OK. Yeah."), ("James Bond", "Umm."), (None, "saved-by | Dennis Forsythe")]
