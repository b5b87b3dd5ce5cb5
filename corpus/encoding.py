"""Decoding text files whose encoding nobody wrote down."""

from __future__ import annotations

import codecs

from stancemap.errors import Errors, FileProblem

_BOMS = (  # UTF-32 first: its LE BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SINGLE_BYTE = ["cp1251", "koi8_r", "cp866", "cp1252", "iso8859_2", "iso8859_8",
                "gb18030", "big5", "shift_jis", "euc_kr"]
_CYRILLIC = {"cp1251", "koi8_r", "cp866", "iso8859_5", "mac_cyrillic"}


def _nul_layout(data: bytes) -> str | None:
    """UTF-16/32 without a BOM shows as NUL bytes in fixed positions: the high bytes of
    Latin letters, or at least of spaces in other scripts. Single-byte text has none."""
    sample = data[:4096]
    n = len(sample) - len(sample) % 4
    if n < 8:
        return None
    zeros = [sum(1 for i in range(k, n, 4) if sample[i] == 0) for k in range(4)]
    total = sum(zeros)
    if total < max(2, n // 40):
        return None
    quarter = n // 4
    if zeros[2] > 0.9 * quarter and zeros[3] > 0.9 * quarter:
        return "utf-32-le"
    if zeros[0] > 0.9 * quarter and zeros[1] > 0.9 * quarter:
        return "utf-32-be"
    if zeros[1] + zeros[3] >= 0.95 * total:
        return "utf-16-le"
    if zeros[0] + zeros[2] >= 0.95 * total:
        return "utf-16-be"
    return None


def _lowercase_share(text: str) -> float:
    """Russian prose is mostly lower-case; a wrong Cyrillic code page flips the case."""
    letters = [c for c in text if "\u0400" <= c <= "\u04ff"]
    if not letters:
        return 0.0
    return sum(c.islower() for c in letters) / len(letters)


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). Raises FileProblem when nothing fits."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(name.replace("-sig", "")), name
            except UnicodeDecodeError as err:
                raise FileProblem("failed", Errors.R_DECODE.format(reason=f"{name}: {err}")) from err
    layout = _nul_layout(data)
    if layout:
        try:
            return data.decode(layout), layout
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_SINGLE_BYTE).best()
    if best is None:
        raise FileProblem("unsupported", Errors.R_UNSUPPORTED.format(
            what="binary data, not text in any known encoding"))
    encoding = best.encoding
    if encoding in _CYRILLIC:
        encoding = max(sorted(_CYRILLIC - {"iso8859_5", "mac_cyrillic"}),
                       key=lambda enc: _lowercase_share(data.decode(enc, errors="replace")))
    return data.decode(encoding, errors="replace"), encoding
