"""stancemap: coded perception datasets from qualitative material.

In a notebook::

    import stancemap
    project = stancemap.open_project("study")
    panel = project.panel(by=["source_country", "year"])

`open_project`, `run` and `Project` are loaded on first use (stancemap/cli/api.py), so
`import stancemap` stays light."""

__version__ = "0.1.0"
__all__ = ["open_project", "run", "Project", "__version__"]


def __getattr__(name: str):
    if name in ("open_project", "run", "Project"):
        from stancemap.cli import api

        return getattr(api, name)
    raise AttributeError(f"module 'stancemap' has no attribute {name!r}")
