"""Plain text and Markdown in any encoding."""

from __future__ import annotations

import re
from pathlib import Path

from stancemap.corpus.document import RawDocument, normalise
from stancemap.corpus.encoding import decode
from stancemap.errors import Errors, FileProblem

_SENTENCE_LIKE = re.compile(r"[.,;:!?…。！？；，]$")
_FRAGMENT_END = re.compile(r"\b(the|a|an|of|and|or|to|in|on|for|with|by|at|from|as|that|is|"
                           r"и|в|на|с|по|для|о|от|к|что)$", re.I)


def first_line_title(text: str, limit: int = 150) -> str | None:
    """A heading that opens the text: a Markdown `#` line, or a short first line that does not
    end like a sentence or a fragment and is not continued by the next line. Otherwise None:
    the first words of hard-wrapped prose ("On behalf of the") are not a title."""
    first, _, rest = text.lstrip().partition("\n")
    line = first.strip()
    if line.startswith("#"):
        return line.lstrip("#").strip()[:limit] or None
    continued = rest[:1].islower() or (rest[:1] not in ("", "\n") and _FRAGMENT_END.search(line))
    if (continued or len(line) > limit or len(line.split()) > 15
            or _SENTENCE_LIKE.search(line)):
        return None
    return line.strip("*_ ") or None


def read_text(path: Path, options: dict) -> list[RawDocument]:
    raw, encoding = decode(path.read_bytes())
    text = normalise(raw)
    if not text:
        raise FileProblem("skipped", Errors.R_BLANK)
    return [RawDocument(text=text, title=first_line_title(text), encoding=encoding)]
