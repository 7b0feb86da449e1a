"""Entry point: ``learndl`` and ``python -m learndl_cli``.

A ``UserError`` is printed by Typer as one line (it is a ClickException); an interrupt says that
nothing is lost. Anything else is a bug: it is reported in one line too, with where to look.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    code = _run(argv)
    if argv is None:
        # The process exits next (``sys.exit(main())``). Freezing the heap spares the interpreter's
        # exit-time garbage collections a walk over every object of every imported module, about a
        # tenth of a short command such as ``status``. Objects are still freed (files closed) as
        # the modules are torn down; only cycles that are garbage already go uncollected, as the
        # process ends. The database is closed before this (``App.close``).
        import gc

        gc.freeze()
    return code


def _run(argv: list[str] | None) -> int:
    try:
        from .cli import app_for

        app_for(sys.argv[1:] if argv is None else argv)(args=argv, prog_name="learndl", standalone_mode=True)
    except KeyboardInterrupt:
        print("learndl: interrupted; every answer already given is saved", file=sys.stderr)
        return 130
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except Exception as exc:  # a bug in learndl: one line, never a traceback
        import os

        if os.environ.get("LEARNDL_DEBUG"):
            raise
        print(
            f"learndl: internal error: {type(exc).__name__}: {exc} (set LEARNDL_DEBUG=1 for the traceback, "
            "and please report it)",
            file=sys.stderr,
        )
        return 70
    return 0


if __name__ == "__main__":
    sys.exit(main())
