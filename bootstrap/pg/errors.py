"""The one error type the bootstrap raises for problems a user can fix."""


class BootstrapError(Exception):
    """A problem the user can act on; its message says what is wrong and how to fix it (never a secret)."""
