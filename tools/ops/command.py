"""The shape every `stagecraft` subcommand has, so tools/cli.py can keep them in one registry."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Command:
    """One subcommand: its name, one-line help, its arguments and what it does."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    """Adds the subcommand's arguments to its parser."""
    run: Callable[[argparse.Namespace], int]
    """Does the work; returns the exit status. Raises OperationsError for bad input."""
