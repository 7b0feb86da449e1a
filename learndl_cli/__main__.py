"""Entry point: ``learndl`` and ``python -m learndl_cli``. Turns every UserError into one line."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from .errors import UserError

    try:
        from .cli import app

        app(args=argv, prog_name="learndl", standalone_mode=True)
    except UserError as err:
        print(f"learndl: {err}", file=sys.stderr)
        return err.code
    except KeyboardInterrupt:
        print("learndl: interrupted; every answer already given is saved", file=sys.stderr)
        return 130
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
