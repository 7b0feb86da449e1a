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


def _version(value: bool):
    if value:
        typer.echo(f"learndl {__version__}")
        raise typer.Exit()


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


# The modules in commands/, in the order --help lists their commands, and the commands each defines.
MODULES = ("quiz", "status", "decks", "exercise", "report", "notes", "interop")
COMMANDS = {
    "quiz": "quiz",
    "status": "status",
    "decks": "decks",
    "exercise": "exercise", "check": "exercise", "hint": "exercise", "solution": "exercise",
    "report": "report", "exam": "report",
    "notes": "notes",
    "export": "interop", "import": "interop", "optimize": "interop", "backup": "interop", "restore": "interop",
    "doctor": "interop",
}


def build(modules: tuple[str, ...] = MODULES) -> typer.Typer:
    """A Typer app with the commands of ``modules`` registered."""
    from importlib import import_module

    app = typer.Typer(
        cls=LearndlGroup,
        name="learndl",
        help="Spaced-repetition flashcards and graded coding drills for Dive into Deep Learning.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode="rich",
    )
    app.callback()(main)
    for name in modules:
        import_module(f"{__package__}.commands.{name}").register(app)
    return app


def _command_names(app: typer.Typer) -> set[str]:
    from typer.main import get_command_name

    names = {c.name or get_command_name(c.callback.__name__) for c in app.registered_commands}
    return names | {g.name for g in app.registered_groups}


def _command_in(args: list[str]) -> str | None:
    """The command an argument list names, past the global ``--home``; None for anything else."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--home":
            i += 2
        elif arg.startswith("--home="):
            i += 1
        elif arg.startswith("-"):
            return None
        else:
            return arg
    return None


def app_for(args: list[str]) -> typer.Typer:
    """The app to run ``args`` with: when they name a command, only the module that defines it.

    Otherwise every run (``status``, ``quiz``) imports every command module and has Typer build
    every command's options from their type hints, the largest part of learndl's own start-up.
    Anything else (``--help``, ``--version``, a mistyped command) gets the whole app, so its help
    and errors list every command, exactly as before.
    """
    name = _command_in(args)
    module = COMMANDS.get(name or "")
    if module is not None:
        narrow = build((module,))
        if name in _command_names(narrow):
            return narrow
    return _whole_app()


def _whole_app() -> typer.Typer:
    app = globals().get("app")
    if app is None:
        app = globals()["app"] = build()
    return app


def __getattr__(name: str):
    """``app``, the whole command line (for tests and ``CliRunner``), built on first use."""
    if name == "app":
        return _whole_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["app", "UserError"]
