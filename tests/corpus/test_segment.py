from conftest import DATA, HOSTILE, needs_shared
from stancemap.corpus.segment import is_transcript, paragraphs, role_of, segment


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


def test_interviewer_moderator_and_q_turns_are_questions():
    text = ("Interviewer: Do you follow what the government agrees with China?\n\n"
            "Respondent: Yes, the road helps us.\n\nInterviewer: And the debt?\n\n"
            "Respondent: It worries me.")
    spans, _ = segment(text)
    assert [s.role for s in spans] == ["question", "respondent"] * 2
    qa = "Q: Why?\n\nA: Trains.\n\nQ: And?\n\nA: Trucks.\n\nModerator: Anyone else?\n\nP2: No."
    assert [(s.speaker, s.role) for s in segment(qa)[0]] == [
        ("Q", "question"), ("A", "respondent"), ("Q", "question"), ("A", "respondent"),
        ("Moderator", "question"), ("P2", "respondent")]
    ru = (DATA / "interview_ru.txt").read_text(encoding="utf-8")
    assert [s.role for s in segment(ru)[0]] == ["question", "respondent"] * 2
    assert role_of("Вопрос") == role_of("Модератор") == role_of("I") == "question"
    assert role_of("Ответ") == role_of("Dr. Aigerim Bekova") == "respondent" and role_of(None) is None


def test_lines_that_are_paragraphs_are_split_at_sentence_ends():
    lines = [f"Paragraph {n} says that trade with China grew by {n} per cent over the year, "
             f"and that the railway carried more freight than ever before." for n in range(6)]
    lines[2] = lines[2][:-1] + " and"  # a line that does not end a sentence continues
    text = "\n".join(lines)
    spans = paragraphs(text)
    assert len(spans) == 5
    assert text[spans[2].start:spans[2].end] == lines[2] + "\n" + lines[3]
    _check_offsets(text, spans)


def test_hard_wrapped_text_breaks_at_short_sentence_final_lines():
    words = ("The outdated Cold War mentality has no place in the new era of globalization "
             "and the Chinese nation loves peace and harmony among all peoples of the world").split()
    lines, line = [], ""
    for word in words * 3:
        if len(line) + len(word) > 55:
            lines.append(line.strip())
            line = ""
        line += word + " "
    first = "\n".join(lines) + "\nend of the first paragraph."
    second = "\n".join(lines[:4]) + "\nshort close."
    text = first + "\n" + second
    spans = paragraphs(text)
    assert [text[s.start:s.end] for s in spans] == [first, second]


def test_indented_lines_open_paragraphs():
    body = "\n".join(["the road to the border was finished last year and the trucks"] * 4)
    text = "  The first paragraph starts here and\n" + body + "\n  The second one here and\n" + body
    spans = paragraphs(text)
    assert len(spans) == 2 and text[spans[1].start:].startswith("The second")


def test_a_page_break_inside_a_sentence_does_not_end_the_paragraph():
    text = "It is a State with an open and\n\nsocially oriented market economy.\n\nNext paragraph."
    assert [text[s.start:s.end] for s in paragraphs(text)] == [
        "It is a State with an open and\n\nsocially oriented market economy.", "Next paragraph."]


def test_chinese_is_cut_at_sentence_punctuation_never_mid_word():
    sentence = "中国与中亚国家在能源和交通领域的合作不断深化。双方愿意继续共同努力！"
    text = sentence * 60
    spans = paragraphs(text, max_chars=400)
    assert len(spans) > 5 and all(s.end - s.start <= 400 for s in spans)
    assert all(text[s.end - 1] in "。！？；" for s in spans)
    assert "".join(text[s.start:s.end] for s in spans) == text
    unpunctuated = "合作，" * 300  # only commas: cut after one
    assert all(unpunctuated[s.end - 1] == "，" for s in paragraphs(unpunctuated, max_chars=200))


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
