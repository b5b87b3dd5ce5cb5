"""Public labelled sets in their upstream formats, read into one shape: a target-dependent item
(target name, passage text, the target's mention spans, label, language, group).

PerSenT (English news paragraphs, the author's sentiment toward the article's main entity),
NewsMTSC (English news sentences, sentiment toward a marked person), RuSentNE-2023 (Russian news
sentences, sentiment toward a marked entity) and RuSentRel (Russian analytical articles, the
author's and the actors' attitudes toward countries) train and score the shipped default models;
the project's own stance CSV (id, target, text, stance) is the fifth set.
`group` keeps items of one document or sentence together when a set is split."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from stancemap.errors import Errors, TrainingError

SENTIMENT_TO_STANCE = {"positive": "favour", "negative": "against", "neutral": "neutral"}
_MASK = re.compile(r"\s*\[TGT\]\s*")


@dataclass
class Item:
    target: str
    text: str
    spans: list[tuple[int, int]]  # where the target is named in `text`
    label: str  # positive / negative / neutral (stance sets: favour / against / neutral)
    lang: str
    group: str
    kind: str = ""  # the target's entity type where the set gives it (RuSentNE: COUNTRY, PERSON, …)


def _read_csv(path: Path) -> list[dict]:
    if not path.exists():
        raise TrainingError(Errors.E120.format(path=path))
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _unmask(masked: str, name: str) -> tuple[str, list[tuple[int, int]]]:
    """PerSenT writes the entity as [TGT] (with stray spaces); put its name back and note where
    it is named (also where the text named it unmasked)."""
    text = " ".join(_MASK.sub(f" {name} ", masked).split())
    return text, [m.span() for m in re.finditer(re.escape(name), text)]


def persent(folder: Path, split: str) -> list[Item]:
    """Paragraphs with their own label (`Paragraph0..15`); documents whose paragraph count does
    not match their labels' are left out, as upstream's own loaders do."""
    items = []
    for row in _read_csv(Path(folder) / f"{split}.csv"):
        labels = [row.get(f"Paragraph{i}", "").strip().lower() for i in range(16)]
        labels = [label for label in labels if label]
        paragraphs = row["MASKED_DOCUMENT"].split("\n")
        if not labels or len(labels) != len(paragraphs):
            continue
        name = row["TARGET_ENTITY"].strip()
        for paragraph, label in zip(paragraphs, labels):
            text, spans = _unmask(paragraph, name)
            if text:
                items.append(Item(name, text, spans, label, "en", f"persent-{row['DOCUMENT_INDEX']}"))
    return items


def rusentne(folder: Path) -> list[Item]:
    items = []
    names = {"1": "positive", "-1": "negative", "0": "neutral"}
    path = Path(folder) / "train_data.csv"
    if not path.exists():
        raise TrainingError(Errors.E120.format(path=path))
    with path.open(encoding="utf-8", newline="") as handle:
        dialect = "\t" if "\t" in handle.readline() else ","
        handle.seek(0)
        for row in csv.DictReader(handle, delimiter=dialect):
            start, end = int(row["entity_pos_start_rel"]), int(row["entity_pos_end_rel"])
            text = row["sentence"]
            items.append(Item(row["entity"], text, [(start, end)], names[row["label"].strip()], "ru",
                              "rusentne-" + hashlib.sha1(text.encode()).hexdigest()[:12],
                              row.get("entity_tag", "")))
    return items


NEWSMTSC_POLARITY = {2.0: "negative", 4.0: "neutral", 6.0: "positive"}


def newsmtsc(folder: Path) -> list[Item]:
    """One item per (sentence, target) of `train.jsonl`; the group is the article (the gid's
    first three fields: outlet, article, batch), so a held-out part holds whole articles."""
    path = Path(folder) / "train.jsonl"
    if not path.exists():
        raise TrainingError(Errors.E120.format(path=path))
    items = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            text = row["sentence_normalized"]
            article = "_".join(row["primary_gid"].split("_")[:3])
            for target in row["targets"]:
                items.append(Item(target["mention"], text, [(target["from"], target["to"])],
                                  NEWSMTSC_POLARITY[float(target["polarity"])], "en",
                                  f"newsmtsc-{article}"))
    return items


_RUSENTREL_LABELS = {"pos": "positive", "neg": "negative"}


def _synonyms(path: Path) -> dict[str, set[str]]:
    """RuSentRel's synonyms.txt: one group of names per line -> name -> its group."""
    groups: dict[str, set[str]] = {}
    for line in path.read_text("utf-8").splitlines():
        names = {n.strip().lower() for n in line.split(",") if n.strip()}
        for name in names:
            groups.setdefault(name, set()).update(names)
    return groups


def _stem(word: str) -> str:
    """Russian case endings off (России, Россией -> Росси): enough to tie an inflected mention
    to its synonym group."""
    return word[:-2] if len(word) > 5 else word


class _Article:
    """One RuSentRel article: its text with the "{Author, Unknown}" line tags blanked (offsets
    kept), its sentences, and its place entities (.ann type LOC: countries, capitals, regions)."""

    def __init__(self, folder: Path, number: str, synonyms: dict[str, set[str]]):
        from stancemap.nlp.analysis import _regex_sentences

        raw = (folder / f"art{number}.txt").read_text("utf-8")
        self.text = re.sub(r"\{Author, Unknown\}", lambda m: " " * len(m.group()), raw)
        self.sentences = _regex_sentences(self.text)
        self.synonyms = synonyms
        self.places: set[str] = set()
        ann = folder / f"art{number}.ann"
        for line in ann.read_text("utf-8").splitlines() if ann.exists() else []:
            parts = line.split("\t")
            if len(parts) == 3 and parts[1].startswith("LOC"):
                self.places.add(parts[2].strip())

    def mentions(self, name: str) -> list[tuple[int, int]]:
        """Where the article names a place the attitude's `name` stands for: its .ann surface
        forms whose (stemmed) form is in the name's synonym group."""
        group = self.synonyms.get(name.lower(), {name.lower()})
        stems = {_stem(n) for n in group}
        forms = [f for f in self.places if f.lower() in group or _stem(f.lower()) in stems]
        if not forms:
            return []
        pattern = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
        return [m.span() for m in re.finditer(rf"(?<!\w)(?:{pattern})(?!\w)", self.text)]

    def item(self, name: str, spans, window: tuple[int, int], label: str, number: str) -> Item:
        lo, hi = window
        return Item(name, self.text[lo:hi], [(a - lo, b - lo) for a, b in spans if lo <= a < hi],
                    label, "ru", f"rusentrel-{number}")


def _attitudes(path: Path) -> list[tuple[str, str, str]]:
    """(subject, object, positive|negative) rows of an .opin.txt / .author.txt file."""
    found = []
    for line in path.read_text("utf-8").splitlines() if path.exists() else []:
        fields = [f.strip() for f in line.split(",")]
        if len(fields) >= 3 and fields[2] in _RUSENTREL_LABELS:
            found.append((fields[0], fields[1], _RUSENTREL_LABELS[fields[2]]))
    return found


def rusentrel(folder: Path, who: str = "author") -> list[Item]:
    """Attitudes toward places (countries, capitals) in RuSentRel's `train/` articles.

    `who="author"`: the author's attitude (`artN.author.txt`), one item per window the stance
    stage would read — each sentence naming the place with one sentence either side — all with
    the attitude's label (a scorer averages an article's windows per place, as the stage does).
    `who="actors"`: one entity's attitude toward a place (`artN.opin.txt`), one item per sentence
    naming both. Pairs whose place the article does not name are left out. Group: the article."""
    from stancemap.nlp.default_stage import target_windows

    folder = Path(folder)
    path = folder / "synonyms.txt"
    if not path.exists():
        raise TrainingError(Errors.E120.format(path=path))
    synonyms = _synonyms(path)
    items = []
    numbers = sorted((p.name[3:].split(".")[0] for p in (folder / "train").glob("art*.txt")
                      if p.name.count(".") == 1), key=int)
    for number in numbers:
        article = _Article(folder / "train", number, synonyms)
        kind = "author" if who == "author" else "opin"
        for subject, place, label in _attitudes(folder / "train" / f"art{number}.{kind}.txt"):
            spans = article.mentions(place)
            if not spans:
                continue
            if who == "author":
                windows = target_windows(len(article.text), spans, article.sentences, 0)
            else:
                others = article.mentions(subject) or [
                    m.span() for m in re.finditer(re.escape(subject), article.text)]
                windows = [(s, e) for s, e in article.sentences
                           if any(s <= a < e for a, _ in spans) and any(s <= a < e for a, _ in others)]
            items += [article.item(place, spans, w, label, number) for w in windows]
    return items


def split_by_group(items: list[Item], share: float = 0.2) -> tuple[list[Item], list[Item]]:
    """A fixed split that does not move when the seed or the machine changes: an item's group is
    held out when its hash falls in the lowest `share` (a sentence with two entities stays whole)."""
    def held(group: str) -> bool:
        return int(hashlib.sha256(group.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < share
    train = [item for item in items if not held(item.group)]
    test = [item for item in items if held(item.group)]
    return train, test


def stance_csv(path: Path, lang: str = "en") -> list[Item]:
    """The project's stance set: id, target (a codebook target id), text, stance."""
    items = []
    for row in _read_csv(Path(path)):
        items.append(Item(row["target"], row["text"], [], row["stance"].strip(), lang,
                          f"own-{row['id']}"))
    return items


def located(items: list[Item]) -> list[Item]:
    """Stance-set items as the pipeline sees them: the target's mentions found by the analyser
    with the default codebook (the CSV names targets by id), labels as sentiment toward it.
    Items whose passage the analyser finds no mention of the target in are left out: the
    pipeline would not code them either."""
    from stancemap.annotations.codebook import load_codebook
    from stancemap.nlp.analysis import Analyser

    to_sentiment = {stance: sentiment for sentiment, stance in SENTIMENT_TO_STANCE.items()}
    analyses = Analyser(load_codebook(None)).analyse([i.text for i in items], [i.lang for i in items])
    found = []
    for item, analysis in zip(items, analyses):
        hits = [hit for hit in analysis.targets if hit.id == item.target]
        if hits:
            found.append(Item(hits[0].text, item.text, [(h.start, h.end) for h in hits],
                              to_sentiment.get(item.label, item.label), item.lang, item.group))
    return found


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class CachedEmbeddings:
    """Sentence embeddings of labelled items, kept in a .npz per encoder (keyed by the text's
    SHA-1) so the training script and the accuracy benchmark encode each text once (encoding is
    their slowest step)."""

    def __init__(self, folder: Path | None, encoders: dict):
        self.folder = Path(folder) if folder else None
        self.encoders = encoders  # name -> object with encode(texts) and version
        self.known: dict[str, dict[str, object]] = {}

    def _path(self, name: str) -> Path:
        version = str(getattr(self.encoders[name], "version", name)).replace("/", "_")
        return self.folder / f"embeddings-{name}-{version}.npz"

    def _load(self, name: str) -> dict:
        if name not in self.known:
            self.known[name] = {}
            if self.folder and self._path(name).exists():
                import numpy as np

                with np.load(self._path(name), allow_pickle=False) as stored:
                    keys = [k if len(k) == 40 else _key(k) for k in stored["texts"].tolist()]
                    self.known[name] = dict(zip(keys, stored["vectors"]))
        return self.known[name]

    def __call__(self, name: str, texts: list[str]):
        import numpy as np

        known = self._load(name)
        keys = [_key(t) for t in texts]
        todo = sorted({t for t, k in zip(texts, keys) if k not in known})
        for start in range(0, len(todo), 256):  # saved as it goes: an interrupted run resumes
            chunk = todo[start:start + 256]
            for text, vector in zip(chunk, self.encoders[name].encode(chunk)):
                known[_key(text)] = vector
            if self.folder:  # written aside and moved: a reader never sees half a file
                self.folder.mkdir(parents=True, exist_ok=True)
                partial = self._path(name).with_suffix(".partial.npz")
                np.savez(partial, texts=np.array(list(known)), vectors=np.vstack(list(known.values())))
                partial.replace(self._path(name))
        return np.vstack([known[k] for k in keys]) if texts else np.zeros((0, 384), np.float32)


def by_hash(items: list[Item], count: int) -> list[Item]:
    """A fixed sample of `count` items (all when 0): those whose hash of group, target and text
    is lowest — the same on every machine and for every seed, so caches and scores agree."""
    if not 0 < count < len(items):
        return items
    def key(item: Item) -> str:
        return hashlib.sha256(f"{item.group}|{item.target}|{item.text}".encode()).hexdigest()
    chosen = set(map(id, sorted(items, key=key)[:count]))
    return [item for item in items if id(item) in chosen]


def labelled_sets(labelled: Path) -> dict[str, tuple[str, list[Item], list[Item]]]:
    """name -> (language, training items, held-out items) of every public set the default
    models learn from: PerSenT dev / fixed_test; NewsMTSC train, 20 % by article held out;
    RuSentNE 80/20 by sentence; RuSentRel (the author's and the actors' attitudes toward
    places), 20 % by article held out."""
    labelled = Path(labelled)
    found = {"persent": ("en", persent(labelled / "persent", "dev"), persent(labelled / "persent", "fixed_test"))}
    found["newsmtsc"] = ("en", *split_by_group(newsmtsc(labelled / "newsmtsc")))
    found["rusentne"] = ("ru", *split_by_group(rusentne(labelled / "rusentne")))
    for who in ("author", "actors"):
        found[f"rusentrel-{who}"] = ("ru", *split_by_group(rusentrel(labelled / "rusentrel", who)))
    return found


def item_queries(items: list[Item], task: str):
    """What the shipped models read for each item: stance pairs the target with its mentions,
    sentiment reads the passage alone. Sentences are cut as the pipeline's fallback cuts them."""
    from stancemap.nlp.analysis import _regex_sentences
    from stancemap.nlp.default_models import Query

    stance = task == "stance"
    return [Query(i.lang, i.target if stance else "", i.text, i.spans if stance else [],
                  _regex_sentences(i.text)) for i in items]
