"""The one error the operations commands show to a user: a clear sentence, no traceback."""

from __future__ import annotations


class OperationsError(Exception):
    """Bad input or an unusable environment, said in one message that names what to fix.

    Raised before anything is written whenever the input allows it; the command line prints the message
    and exits with status 2.
    """
