"""``python -m jpki.cli``: the ``jpki`` command line."""

from .app import main

if __name__ == "__main__":
    raise SystemExit(main())
