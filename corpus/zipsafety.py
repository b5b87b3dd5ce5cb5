"""ZIP containers (DOCX, XLSX, QDPX) checked before anything opens them: no entry may point
outside the archive (zip slip) and the whole may not unpack past a limit (zip bombs)."""

from __future__ import annotations

import zipfile
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
