"""The ``jpki`` command line: a thin layer over the library.

* :mod:`~jpki.cli.app` — :func:`main`, the parser and the exit codes;
* :mod:`~jpki.cli.common` — usage errors, output, JSON, times, trust options, PIN prompts;
* :mod:`~jpki.cli.card` — ``readers``, ``status``, ``cert show``, ``pin``, ``text basic``;
* :mod:`~jpki.cli.sign` — ``sign`` (CMS and PDF);
* :mod:`~jpki.cli.verify` — ``verify`` (CMS and PDF);
* :mod:`~jpki.cli.authenticate` — ``authenticate``;
* :mod:`~jpki.cli.verdicts` — how a verification result prints;
* :mod:`~jpki.cli.requests` — ``requests …``, the staff commands of the ledger.

Exit codes: 0 success; 1 the operation failed; 2 usage error; 3 no reader or
no card (see :mod:`jpki.cli.app`).
"""

from .app import build_parser, exit_code_for, main
from .common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_NO_CARD, EXIT_OK, EXIT_USAGE, UsageError

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_NO_CARD",
    "EXIT_OK",
    "EXIT_USAGE",
    "UsageError",
    "build_parser",
    "exit_code_for",
    "main",
]
