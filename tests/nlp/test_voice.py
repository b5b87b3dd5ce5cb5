"""Who is speaking: quotes with their speakers, reported speech, distanced terms."""

from stancemap.nlp.analysis import Mention, _regex_sentences
from stancemap.nlp.voice import find_voices

QUOTE = ('Critics say the terms are secret. "Chinese loans are a great help to our people," '
         "Ambassador Du Dewen said.")


def voices_of(text, mentions=()):
    return find_voices(text, _regex_sentences(text), mentions)


def test_a_quote_with_its_speaker_is_blanked_from_the_own_voice():
    start = QUOTE.index("Du Dewen")
    voices = voices_of(QUOTE, [Mention(start, start + 8, "PERSON", "Du Dewen")])
    quote = next(q for q in voices.quotes if not q.reported)
    assert QUOTE[quote.start:quote.end] == "Chinese loans are a great help to our people,"
    assert quote.speaker == "Du Dewen"
    own = voices.own_text(QUOTE)
    assert len(own) == len(QUOTE) and "great help" not in own and "Critics say" in own


def test_scare_quotes_and_so_called_are_distanced_terms_not_quotes():
    for text, term in (("'China trap' is sheer fabrication.", "'China trap'"),
                       ("China's so-called 'debt trap' is a myth.", "so-called 'debt trap'"),
                       ("Так называемая долговая ловушка — миф.", "Так называемая долговая ловушка"),
                       ("所谓债务陷阱是谎言。", "所谓债务陷阱")):
        voices = voices_of(text)
        assert not voices.quotes, text
        blanked = voices.own_text(text)
        assert all(blanked[text.index(word)] == " " for word in term.replace("'", "").split()), text


def test_the_apostrophe_of_a_possessive_opens_no_quote():
    assert not voices_of("China's loans and the countries' debts grew.").distanced


def test_reported_speech_needs_a_named_speaker_and_not_the_author():
    text = "The minister said Chinese loans were fair. We said they were not."
    start = text.index("minister")
    voices = voices_of(text, [Mention(start, start + 8, "PERSON", "minister")])
    (quote,) = voices.quotes
    assert quote.reported and quote.speaker == "minister" and quote.end <= text.index("We")
    assert voices.quote_at(start) is None  # the speaker's own name is no quoted target
    russian = "Министр Иванов заявил, что кредиты Китая выгодны."
    start = russian.index("Иванов")
    (quote,) = voices_of(russian, [Mention(start, start + 6, "PER", "Иванов")]).quotes
    assert quote.speaker == "Иванов"


def test_reported_speech_in_kazakh_kyrgyz_and_uzbek():
    """Reporting verbs of the region's languages: деді, мәлімдеді (kk), билдирди (ky), dedi,
    ta'kidladi, so'zlariga ko'ra (uz); the author's own "Біз" is no reported speech."""
    sentences = [
        ("Министр Смайылов Қытай несиелері тиімді деп мәлімдеді.", "Смайылов"),
        ("Елші Чжан Сяо жаңа жол екі елге пайда әкеледі деді.", "Чжан Сяо"),
        ("Министр Касымалиев кытай насыясы пайдалуу экенин билдирди.", "Касымалиев"),
        ("Vazir Qo'chqorov Xitoy kreditlari foydali ekanini ta'kidladi.", "Qo'chqorov"),
        ("Elchi Yu Jun yangi yo'l ikki davlatga foyda keltiradi, dedi.", "Yu Jun"),
        ("Mirziyoyevning so'zlariga ko'ra, Xitoy sarmoyasi ish o'rinlari yaratmoqda.", "Mirziyoyev"),
    ]
    for text, name in sentences:
        start = text.index(name)
        (quote,) = voices_of(text, [Mention(start, start + len(name), "PER", name)]).quotes
        assert quote.reported and quote.speaker == name, text
    own = "Біз Қытай несиелері тиімді деп мәлімдеді."
    start = own.index("Қытай")
    assert not voices_of(own, [Mention(start, start + 5, "LOC", "Қытай")]).quotes
