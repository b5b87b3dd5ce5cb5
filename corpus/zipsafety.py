"""ZIP containers (DOCX, XLSX, QDPX) checked before anything opens them: no entry may point
outside the archive (zip slip) and the whole may not unpack past a limit (zip bombs)."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path, PurePosixPath

DEFAULT_LIMIT = 500 * 2**20


def zip_problem(path: Path, limit: int = DEFAULT_LIMIT) -> str | None:
    """Why the archive is unsafe to open, or None."""
    try:
        with zipfile.ZipFile(path) as archive:
            total = 0
            for info in archive.infolist():
                name = info.filename.replace("\\", "/")
                if name.startswith("/") or ".." in PurePosixPath(name).parts or ":" in name:
                    return f"unsafe entry name {info.filename!r}"
                total += info.file_size
            if total > limit:
                return f"it unpacks to {total / 2**20:.0f} MB, over {limit // 2**20} MB"
    except zipfile.BadZipFile as err:
        return f"broken ZIP container: {err}"
    return None


class ZipLimit(ValueError):
    """An entry inflated past the bytes allowed, whatever its header declared."""


def read_entry(archive: zipfile.ZipFile, name: str, limit: int = DEFAULT_LIMIT) -> bytes:
    """An entry's bytes, inflated as a stream and stopped once more than `limit` bytes come
    out (headers can lie about sizes); a CRC mismatch raises zipfile.BadZipFile at the end."""
    chunks, total = [], 0
    with archive.open(name) as stream:
        while chunk := stream.read(1 << 16):
            total += len(chunk)
            if total > limit:
                raise ZipLimit(f"entry {name!r} inflates past {limit // 2**20} MB "
                               f"(its header declares {archive.getinfo(name).file_size} bytes)")
            chunks.append(chunk)
    return b"".join(chunks)


def inflate_problem(path: Path, limit: int = DEFAULT_LIMIT) -> str | None:
    """zip_problem, then every entry really inflated (as a stream, bytes counted, nothing kept):
    why the archive is unsafe or broken, or None. For containers handed to a library that
    would otherwise inflate entries whole before checking them."""
    problem = zip_problem(path, limit)
    if problem:
        return problem
    try:
        with zipfile.ZipFile(path) as archive:
            total = 0
            for info in archive.infolist():
                with archive.open(info) as stream:
                    while chunk := stream.read(1 << 16):
                        total += len(chunk)
                        if total > limit:
                            return (f"it inflates past {limit // 2**20} MB although its headers "
                                    f"declare {sum(i.file_size for i in archive.infolist())} bytes")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, zlib.error) as err:
        return f"broken ZIP container: {err}"
    return None


def xml_refusal(err: Exception) -> str:
    """What defusedxml refused, in words (its exceptions print as a repr of their fields)."""
    from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

    if isinstance(err, EntitiesForbidden):
        what = f"an XML entity ({err.name!r})"
    elif isinstance(err, DTDForbidden):
        what = f"a document type definition ({err.name!r})"
    elif isinstance(err, ExternalReferenceForbidden):
        what = f"an external reference ({err.sysid or err.pubid!r})"
    else:
        what = "an XML feature that is not allowed"
    return (f"its XML declares {what}, which could read local files or expand without bound; "
            "such XML is refused")
