"""The `stancemap` command line: thin typer wrappers around plain functions."""
