"""Metadata attached to files from a manifest CSV or from a path pattern."""

from __future__ import annotations

import csv
import fnmatch
import re
from pathlib import Path

from stancemap.corpus.encoding import decode
from stancemap.errors import Errors, FileProblem, UsageError

_FIELD = re.compile(r"\{([^{}]*)\}")
IGNORE_FILE = ".stancemapignore"


class PathPattern:
    """`{country}/{kind}/*` or `{country}_{session}_{year}.txt` matched against a file's path
    relative to the ingested folder: `{name}` takes one path part (or part of one), `*` any
    characters within a part, `**` any number of parts."""

    def __init__(self, pattern: str):
        self.pattern = pattern
        self.fields: list[str] = []
        self.regex = re.compile(self._translate(pattern))

    def _fail(self, reason: str):
        raise UsageError(Errors.E006.format(pattern=self.pattern, reason=reason))

    def _translate(self, pattern: str) -> str:
        if not pattern.strip():
            self._fail("it is empty")
        if pattern.startswith("/"):
            self._fail("it must be relative to the folder, not start with '/'")
        out, position = [], 0
        for match in _FIELD.finditer(pattern):
            out.append(self._literal(pattern[position:match.start()]))
            name = match.group(1)
            if not name.isidentifier():
                self._fail(f"field name {name!r} is not a plain name")
            if name in self.fields:
                self._fail(f"field {{{name}}} appears twice")
            self.fields.append(name)
            out.append(f"(?P<{name}>[^/]+?)")
            position = match.end()
        rest = pattern[position:]
        if "{" in rest or "}" in rest:
            self._fail("a '{' or '}' is not closed")
        out.append(self._literal(rest))
        if not self.fields:
            self._fail("it has no {field}")
        return "".join(out)

    def _literal(self, text: str) -> str:
        if "{" in text or "}" in text:
            self._fail("a '{' or '}' is not closed")
        parts = []
        for chunk in re.split(r"(\*\*/?|\*)", text):
            if chunk.startswith("**"):
                parts.append("(?:.*/)?" if chunk.endswith("/") else ".*")
            elif chunk == "*":
                parts.append("[^/]*")
            else:
                parts.append(re.escape(chunk))
        return "".join(parts)

    def match(self, relative: str) -> dict[str, str] | None:
        found = self.regex.fullmatch(relative)
        return found.groupdict() if found else None


_COUNTRY_YEAR_NAME = re.compile(r"^(?P<country>[A-Za-z]{3})_(?P<middle>(?:[^_/]+_)*)"
                                r"(?P<year>(?:19|20)\d\d)(?P<ext>\.\w+)?$")


def suggest_pattern(relatives: list[str], countries: set[str]) -> tuple[str, str] | None:
    """(--pattern, an example file) when most file names read as ISO3_..._YEAR (UN speeches:
    KAZ_74_2019.txt), else None. `countries`: the ISO 3166 alpha-3 codes."""
    found = [(r, m) for r in relatives if (m := _COUNTRY_YEAR_NAME.match(r.rsplit("/", 1)[-1]))
             and m.group("country").upper() in countries]
    if len(found) < 2 or len(found) < 0.8 * len(relatives):
        return None
    middles = {m.group("middle").count("_") for _, m in found}
    extensions = {m.group("ext") or "" for _, m in found}
    if len(middles) != 1 or len(extensions) != 1:
        return None
    parts = middles.pop()
    middle = "".join("{session}_" if parts == 1 else f"{{part{i + 2}}}_" for i in range(parts))
    nested = "**/" if any("/" in r for r, _ in found) else ""
    return f"{nested}{{country}}_{middle}{{year}}{extensions.pop()}", found[0][0]


class Manifest:
    """A CSV with a `path` (or `file`) column, relative to the folder or absolute; every
    other column is metadata. A row with a `speaker` value describes that speaker of the file
    (a transcript's turn label: country, stakeholder group, role) instead of the whole file."""

    def __init__(self, path: Path, folder: Path):
        self.path = path
        if not path.is_file():
            raise UsageError(Errors.E003.format(path=path))
        try:
            text, _ = decode(path.read_bytes())
            rows = list(csv.DictReader(text.splitlines()))
        except (OSError, csv.Error, FileProblem) as err:
            raise UsageError(Errors.E004.format(path=path, reason=err)) from err
        if not rows:
            raise UsageError(Errors.E004.format(path=path, reason="it has no rows"))
        columns = list(rows[0].keys())
        key = next((c for c in columns if c and c.strip().lower() in ("path", "file")), None)
        if key is None:
            raise UsageError(Errors.E005.format(path=path, columns=", ".join(map(str, columns))))
        self.entries: dict[str, dict[str, str]] = {}
        self.speakers: dict[str, dict[str, dict[str, str]]] = {}
        for row in rows:
            name = (row.get(key) or "").strip()
            if not name:
                continue
            target = Path(name)
            target = str((target if target.is_absolute() else folder / target).resolve())
            values = {k.strip(): (v or "").strip() for k, v in row.items()
                      if k and k != key and v is not None and v.strip()}
            speaker = " ".join(values.pop("speaker", "").split())
            if speaker:
                self.speakers.setdefault(target, {})[speaker] = values
            else:
                self.entries[target] = values
        self.used: set[str] = set()

    def lookup(self, path: Path) -> dict[str, str]:
        key = str(path.resolve())
        if key in self.entries or key in self.speakers:
            self.used.add(key)
        return dict(self.entries.get(key, {}))

    def speakers_of(self, path: Path) -> dict[str, dict[str, str]]:
        """Speaker label -> that speaker's metadata, for one file."""
        return {k: dict(v) for k, v in self.speakers.get(str(path.resolve()), {}).items()}

    def unused(self) -> list[str]:
        return sorted((set(self.entries) | set(self.speakers)) - self.used)


def read_ignore_file(folder: Path) -> list[str]:
    """Globs from FOLDER/.stancemapignore: one a line, '#' comments, blank lines skipped."""
    path = folder / IGNORE_FILE
    if not path.is_file():
        return []
    text, _ = decode(path.read_bytes())
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


class Excluder:
    """Which files below the folder are not inputs: globs on the path relative to the folder.
    A glob without '/' matches a file or folder name at any depth; one starting with '/'
    matches from the folder root; one ending with '/' matches folders only."""

    def __init__(self, globs: list[str]):
        self.globs = [g for g in (g.strip() for g in globs) if g]

    def matches(self, relative: str, is_dir: bool = False) -> str | None:
        """The glob that excludes this relative path, or None."""
        name = relative.rsplit("/", 1)[-1]
        for glob in self.globs:
            folder_only = glob.endswith("/")
            body = glob.rstrip("/")
            if folder_only and not is_dir:
                continue
            if "/" in body:  # a path glob: '*' stays within one part unless it is '**'
                body = body.lstrip("/")
                same_depth = "**" in body or body.count("/") == relative.count("/")
                if same_depth and fnmatch.fnmatchcase(relative, body):
                    return glob
            elif fnmatch.fnmatchcase(name, body):
                return glob
        return None
