"""``%load_ext learndl`` in Jupyter: registers the ``%%learndl`` and ``%learndl`` magics.

This package exists so that the extension has the product's name; the magics live in
``learndl_cli.jupyter`` (see docs/exercises.md, "In Jupyter").
"""


def load_ipython_extension(ipython) -> None:
    from learndl_cli.jupyter import load_ipython_extension as load

    load(ipython)
