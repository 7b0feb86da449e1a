"""The command line: parses arguments and hands them to the command modules in ``commands/``.

This module and the command modules import only light libraries at the top; anything heavy
(torch, the grader) is imported inside the command that needs it, so ``learndl --help``,
``learndl quiz`` and ``learndl status`` start fast and never import torch.
"""

from __future__ import annotations

from pathlib import Path
import sqlite3
import sys
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from typer import Abort

from . import __version__
from .context import App
from .errors import ClickException, UserError, from_storage_error
from .paths import ensure_home, resolve_home


class LearndlGroup(TyperGroup):
    """Every error a user can cause is one line on stderr, ``learndl: …``, and a non-zero exit."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except UserError as err:
            err.show()
            sys.exit(err.code)
        except (OSError, sqlite3.Error) as exc:
            err = from_storage_error(exc)
            if err is None:
                raise
            err.show()
            sys.exit(err.code)
        except ClickException as err:  # bad arguments: click's message, on one line
            message = " ".join(err.format_message().split())
            hint = ""
            ctx = getattr(err, "ctx", None)
            if ctx is not None:
                hint = f" (see {ctx.command_path} --help)"
            print(f"learndl: {message}{hint}", file=sys.stderr)
            sys.exit(err.exit_code)
        except Abort:
            print("learndl: aborted", file=sys.stderr)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=LearndlGroup,
    name="learndl",
    help="Spaced-repetition flashcards and graded coding drills for Dive into Deep Learning.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool):
    if value:
        typer.echo(f"learndl {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    home: Annotated[
        Optional[Path],
        typer.Option("--home", help="Data directory (default: $LEARNDL_HOME or the user data dir).", show_default=False),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """learndl: review concept cards with FSRS and drill the book's code, in your terminal."""
    if ctx.resilient_parsing:
        return
    ctx.obj = App(home=ensure_home(resolve_home(home)))
    ctx.call_on_close(ctx.obj.close)


def _register() -> None:
    from .commands import decks, exercise, interop, notes, quiz, report, status

    for module in (quiz, status, decks, exercise, report, notes, interop):
        module.register(app)


_register()

__all__ = ["app", "UserError"]
