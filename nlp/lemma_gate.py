"""Which English passages need spaCy's tagger at all.

The analyser lemmatises for one thing only, matching the codebook's sector phrases on lower-cased
lemmas, and the pipes that make lemmas (tok2vec, tagger, attribute ruler, lemmatizer) take about
40 % of the spaCy model's time. A word's tag decides its lemma only among a few forms, which
the lemmatizer's own rules and exceptions and the attribute ruler's patterns list: "railways"
is "railway" or "railways", "Terrorism" only ever "terrorism". So a passage is tagged only when
a phrase could match through a word whose lemma its tag would decide. In every other passage
a word gets, without the tagger, the lemma it has under every tag (or, where its tag would
decide, one of its lemmas: no phrase can match through it there), and so the passage gets the
same sector hits (tests/nlp/test_lemma_gate.py holds the two paths to each other).

The gate is used only where nothing else reads what those pipes make: the tok2vec feeds the
tagger alone, the lemmatizer works by rule, and the other pipes are the sentence recogniser,
the codebook's entity ruler (on lower-cased words) and the NER, none of which reads tags."""

from __future__ import annotations

import re

import numpy as np

LEMMA_PIPES = ("tok2vec", "tagger", "attribute_ruler", "lemmatizer")
UNTAGGED_PIPES = {"senter", "ner", "codebook_ruler"}
MAX_FORMS = 200_000  # words remembered; a long archive's numbers and typos would grow it unbounded


class LemmaGate:
    """`untagged(doc)`, for a doc made without the lemma pipes: whether it can do without them,
    and then the lower-cased lemma each word has whatever its tag, written into NORM."""

    def __init__(self, nlp, phrases: list[tuple[str, ...]]):
        self.nlp = nlp
        self.lemmatizer = nlp.get_pipe("lemmatizer")
        self.phrases: dict[str, set[tuple[str, ...]]] = {}
        for phrase in phrases:
            self.phrases.setdefault(phrase[0], set()).add(phrase)
        self.words = {word for phrase in phrases for word in phrase}
        self.ruled, self.patterned, self.anywhere = _ruler_lemmas(nlp.get_pipe("attribute_ruler"))
        from spacy.parts_of_speech import IDS

        tables = [self.lemmatizer.lookups.get_table(name, {})
                  for name in ("lemma_rules", "lemma_exc", "lemma_index")]
        # the tags whose lemmas the rules make (any other gives the word itself)
        self.tags = [pos for pos in IDS if pos and any(table.get(pos.lower()) for table in tables)]
        # the words a rule or an exception could lemmatise into a phrase's word
        self.sources: set[str] = set()
        for pos in self.tags:
            for old, new in tables[0].get(pos.lower(), []):
                self.sources.update(word[:len(word) - len(new)] + old for word in self.words
                                    if word.endswith(new))
            for word, lemmas in tables[1].get(pos.lower(), {}).items():
                if self.words.intersection(lemma.lower() for lemma in lemmas):
                    self.sources.add(word)
        self._forms: dict[int, tuple[frozenset, bool, int]] = {}

    @staticmethod
    def applies(nlp) -> bool:
        names = set(nlp.pipe_names)
        return (set(LEMMA_PIPES) <= names and names <= set(LEMMA_PIPES) | UNTAGGED_PIPES
                and set(nlp.get_pipe("tok2vec").listening_components) <= {"tagger"}
                and nlp.get_pipe("lemmatizer").mode == "rule")

    def _form(self, orth: int) -> tuple[frozenset, bool, int]:
        """A word's lemmas that sector phrases use, whether its tag picks among lemmas, and the
        NORM to give it untagged: its only lemma, else any (no phrase can match through it)."""
        if orth not in self._forms:
            if len(self._forms) >= MAX_FORMS:
                self._forms.clear()
            text = self.nlp.vocab.strings[orth]
            lower = text.lower()
            ruled = self.anywhere | self.ruled.get(lower, set())
            ruled |= {lemma for pattern, lemma in self.patterned if pattern.search(lower)}
            if lower in self.words or lower in self.sources or ruled & self.words:
                from spacy.tokens import Doc

                lemmas = {lower} | ruled
                token = Doc(self.nlp.vocab, words=[text])[0]
                for tag in self.tags:
                    token.pos_ = tag
                    lemmas.update(form.lower() for form in self.lemmatizer.rule_lemmatize(token))
                self._forms[orth] = (frozenset(lemmas & self.words), len(lemmas) > 1,
                                     self.nlp.vocab.strings.add(min(lemmas)))
            else:  # no lemma of it is a phrase's word: it matches nothing, whatever its tag
                self._forms[orth] = (frozenset(), False, self.nlp.vocab.strings.add(lower))
        return self._forms[orth]

    def untagged(self, doc) -> bool:
        """False where a sector phrase could match through a word whose tag decides its lemma
        (the doc needs the tagger); else True, with every word's lemma written into NORM."""
        from spacy.attrs import NORM, ORTH

        forms = [self._form(orth) for orth in doc.to_array(ORTH).tolist()]
        for i, (used, _, _) in enumerate(forms):
            for first in used & self.phrases.keys():
                for phrase in self.phrases[first]:
                    window = forms[i:i + len(phrase)]
                    if (len(window) == len(phrase) and any(ambiguous for _, ambiguous, _ in window)
                            and all(word in form[0] for word, form in zip(phrase, window))):
                        return False
        norms = np.array([norm for _, _, norm in forms], dtype=np.uint64)
        doc.from_array([NORM], norms.reshape(-1, 1))
        return True


def _ruler_lemmas(ruler) -> tuple[dict[str, set[str]], list[tuple[re.Pattern, str]], set[str]]:
    """The lemmas the attribute ruler sets, by the lower-cased word its pattern names (a word,
    a list, a regular expression) and those it may set on any word."""
    ruled: dict[str, set[str]] = {}
    patterned, anywhere = [], set()
    for entry in ruler.patterns:
        lemma = entry["attrs"].get("LEMMA")
        if lemma is None:
            continue
        for pattern in entry["patterns"]:
            lower = pattern[entry.get("index", 0)].get("LOWER")
            if isinstance(lower, str):
                ruled.setdefault(lower, set()).add(lemma.lower())
            elif isinstance(lower, dict) and set(lower) == {"IN"}:
                for word in lower["IN"]:
                    ruled.setdefault(word, set()).add(lemma.lower())
            elif isinstance(lower, dict) and set(lower) == {"REGEX"}:
                patterned.append((re.compile(lower["REGEX"]), lemma.lower()))
            else:
                anywhere.add(lemma.lower())
    return ruled, patterned, anywhere
