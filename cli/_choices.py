"""What a project remembers from first use — its codebook, config, path pattern, manifest and
survey text columns — so later commands need not repeat them.

Stored in the project's store (meta table, `setting:choices`), shown by `stancemap info`.
An option given on a later command wins; a different --codebook is an explicit choice that
becomes the project's codebook from then on (with a warning that the passages will be re-coded),
so the project's codes never silently flip between two codebooks. A later --pattern, --manifest
or --text-columns likewise replaces the remembered one. A later --config is used for that
command only: the project's own settings live in PROJECT/stancemap.toml."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import OperationalError

from stancemap.errors import CodebookError, Errors, StoreError, UsageError

if TYPE_CHECKING:
    from stancemap.annotations.codebook import Codebook
    from stancemap.config import Config

KEY = "choices"
BUILT_IN = "built-in"


def load_choices(project: Path, db_url: str | None = None) -> dict[str, Any] | None:
    """The remembered choices; None when the project does not exist yet."""
    from stancemap.corpus.store import Store

    try:
        store = Store(Path(project), url=db_url, create=False)
    except StoreError:
        return None
    try:
        return store.setting(KEY) or {}
    finally:
        store.dispose()


def save_choices(project: Path, db_url: str | None, changes: dict[str, Any]) -> None:
    """Merge `changes` into the remembered choices (a no-op before the project exists)."""
    from stancemap.corpus.store import Store

    try:
        store = Store(Path(project), url=db_url, create=False)
    except StoreError:
        return
    try:
        choices = store.setting(KEY) or {}
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        changed = {k: {**v, "since": stamp} if isinstance(v, dict) else v
                   for k, v in changes.items() if _differs(choices.get(k), v)}
        if changed:
            store.set_setting(KEY, {**choices, **changed})
    finally:
        store.dispose()


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, dict) and isinstance(new, dict):
        return {k: v for k, v in old.items() if k != "since"} != new
    return old != new


def _shown(entry: dict) -> str:
    return entry.get("path") or BUILT_IN


def _entry(book: Codebook, path: Path | None) -> dict:
    return {"path": str(path.resolve()) if path else None, "name": book.name,
            "version": book.version, "digest": book.digest}


def choose_codebook(project: Path, db_url: str | None, config: Config, given: Path | None,
                    warn) -> Codebook:
    """--codebook, else the project's remembered codebook, else the config's coding.codebook,
    else the built-in one; the one used is remembered. `warn(text)` shows notes and warnings."""
    from stancemap.annotations.codebook import load_codebook

    choices = load_choices(project, db_url)
    remembered = (choices or {}).get("codebook")
    configured = Path(config.coding.codebook) if config.coding.codebook else None
    if given is not None:
        book = load_codebook(given)
        entry = _entry(book, given)
        if remembered and remembered.get("digest") != entry["digest"]:
            warn(Errors.E161.format(new=given, old=_shown(remembered)))
    elif remembered:
        path = Path(remembered["path"]) if remembered.get("path") else None
        if path is not None and not path.is_file():
            raise CodebookError(Errors.E160.format(path=path, since=remembered.get("since", "?")))
        book = load_codebook(path)
        entry = _entry(book, path)
        if book.digest != remembered.get("digest"):
            warn(Errors.E162.format(path=_shown(remembered)))
        if configured is not None and str(configured.resolve()) != entry["path"]:
            warn(Errors.E163.format(config=configured, project=_shown(remembered)))
    else:
        book = load_codebook(configured)
        entry = _entry(book, configured)
    if choices is not None and {k: (remembered or {}).get(k) for k in entry} != entry:
        try:
            save_choices(project, db_url, {"codebook": entry})
        except OperationalError as err:  # a read-only project is read, it remembers nothing
            if "readonly" not in str(err):
                raise
    return book


def choose_inputs(project: Path, db_url: str | None, manifest: Path | None, pattern: str | None,
                  text_columns: str | None, warn) -> tuple[Path | None, str | None, str | None]:
    """The ingest options a re-ingest leaves out, taken from the project's memory."""
    remembered = (load_choices(project, db_url) or {}).get("ingest", {})
    used = []
    if manifest is None and remembered.get("manifest"):
        manifest = Path(remembered["manifest"])
        if not manifest.is_file():
            raise UsageError(Errors.E173.format(path=manifest))
        used.append(f"--manifest {manifest}")
    if pattern is None and remembered.get("pattern"):
        pattern = remembered["pattern"]
        used.append(f"--pattern {pattern!r}")
    if text_columns is None and remembered.get("text_columns"):
        text_columns = remembered["text_columns"]
        used.append(f"--text-columns {text_columns}")
    if used:
        warn(f"note: using the project's {', '.join(used)} (remembered; give the option to change "
             "it, or --pattern '' / --text-columns '' to drop it)")
    return manifest, pattern or None, text_columns or None


def remember_inputs(project: Path, db_url: str | None, manifest: Path | None, pattern: str | None,
                    text_columns: str | None, config: Path | None) -> None:
    """After an ingest: the options it used, and (first use only) the config it started from."""
    choices = load_choices(project, db_url)
    if choices is None:
        return
    changes: dict[str, Any] = {"ingest": {
        "manifest": str(Path(manifest).resolve()) if manifest else None,
        "pattern": pattern, "text_columns": text_columns}}
    if "config" not in choices:
        changes["config"] = {"path": str(Path(config).resolve()) if config else None}
    save_choices(project, db_url, changes)


def describe(choices: dict[str, Any]) -> list[tuple[str, str]]:
    """(what, value) rows for `stancemap info`."""
    rows = []
    book = choices.get("codebook")
    if book:
        rows.append(("codebook", f"{_shown(book)} ({book['name']} {book['version']})"))
    if "config" in choices:
        rows.append(("config started from", (choices["config"] or {}).get("path") or "defaults"))
    for key, label in (("manifest", "manifest"), ("pattern", "pattern"),
                       ("text_columns", "text columns")):
        value = choices.get("ingest", {}).get(key)
        if value:
            rows.append((label, str(value)))
    return rows


def remembered_config(project: Path, db_url: str | None) -> Path | None:
    """The config a project without its own stancemap.toml (a team database) started from."""
    entry = (load_choices(project, db_url) or {}).get("config") or {}
    return Path(entry["path"]) if entry.get("path") else None
