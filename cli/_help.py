"""Help texts in the words a researcher reads: typer prints Python types as metavars (`<bool>`
beside a flag, `<list[str]>`, `{folder}` in the usage line); stancemap shows FILE-style names,
nothing beside a flag, and "repeatable" for options given more than once."""

from __future__ import annotations

from typer.core import TyperArgument, TyperOption

_ORIGINAL = TyperOption.display_type  # typer's "<list[str]>"-style label, translated below

_NAMES = {"str": "TEXT", "int": "INTEGER", "int range": "INTEGER", "float": "NUMBER",
          "float range": "NUMBER", "path": "PATH", "file": "FILE", "directory": "FOLDER"}


def _metavar(param, ctx) -> str | None:
    if param.metavar is not None:
        return param.metavar
    label = _ORIGINAL(param, ctx).strip("<>").removesuffix("...")
    repeatable = label.startswith("list[")
    label = label.removeprefix("list[").removesuffix("]")
    if label == "bool":
        return None
    name = _NAMES.get(label, label.upper())
    return f"{name} (repeatable)" if repeatable else name


def _usage_name(param) -> str:
    name = (param.metavar or param.name or "").upper()
    return name if param.required else f"[{name}]"


def readable_help() -> None:
    """Install the readable metavars (called once, when the app is built)."""
    TyperOption.display_type_rich = _metavar
    TyperArgument.display_type_rich = _metavar
    TyperArgument._usage_display_name = _usage_name
