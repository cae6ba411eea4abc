"""``python -m mock_card``: the ``jpki-mock-card`` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
