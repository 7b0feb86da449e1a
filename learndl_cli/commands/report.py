"""Placeholder: filled in by the work on this command."""

import typer


def register(app: typer.Typer) -> None:
    return None
