from conftest import DATA
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
