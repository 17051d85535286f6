"""What `compare` prints: a progress line while probing, a table of the figures at the end."""

from __future__ import annotations

import time
from typing import Any, Mapping, TextIO

from .probe import ProbeResult
from .svg import format_ms
from .verdicts import CATEGORIES


class Progress:
    """A one-line progress display: rewritten in place on a terminal, a line per quarter elsewhere (CI logs)."""

    def __init__(self, total: int, environments: int, stream: TextIO, interval: float = 0.1) -> None:
        self.total = total
        self.environments = environments
        self.stream = stream
        self.done = 0
        self.failed = 0
        self._interval = interval
        self._start = time.monotonic()
        self._last = 0.0
        self._quarter = 0
        self._tty = stream.isatty()

    def __call__(self, result: ProbeResult) -> None:
        self.done += 1
        self.failed += 0 if result.ok else 1
        now = time.monotonic()
        if self._tty:
            if now - self._last >= self._interval or self.done == self.total:
                self._last = now
                self.stream.write(f"\r{self.line()}")
                self.stream.flush()
        elif self.done * 4 >= (self._quarter + 1) * self.total:
            self._quarter = self.done * 4 // self.total
            self.stream.write(self.line() + "\n")
            self.stream.flush()

    def line(self) -> str:
        """The current progress as text."""
        elapsed = time.monotonic() - self._start
        return (f"probing {self.environments} environments: {self.done}/{self.total} probes, "
                f"{self.failed} failed, {elapsed:.1f} s")

    def finish(self) -> None:
        """End the in-place line."""
        if self._tty:
            self.stream.write("\n")
            self.stream.flush()


def _shown(key: str, value: Any) -> str:
    if value is None:
        return "-"
    unit = next(c.unit for c in CATEGORIES if c.key == key)
    return format_ms(value) if unit == "ms" else f"{value * 100:.2f}%"


def table(document: Mapping[str, Any]) -> str:
    """The figures of every environment against the targets (✓ met, ✗ missed, * winner), then the winners."""
    headers = ["environment"] + [c.key for c in CATEGORIES]
    rows = []
    for name, environment in document["environments"].items():
        cells = [name]
        for category in CATEGORIES:
            verdict = environment["verdicts"][category.key]
            mark = "" if verdict["met"] is None else (" ✓" if verdict["met"] else " ✗")
            star = "*" if document["winners"].get(category.key) == name else ""
            cells.append(f"{_shown(category.key, verdict['value'])}{mark}{star}")
        rows.append(cells)
    targets = ["target"] + [c.describe().replace(c.title, "").strip() for c in CATEGORIES]
    widths = [max(len(r[i]) for r in [headers, targets, *rows]) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)) for r in [headers, targets, *rows]]
    lines.insert(2, "  ".join("-" * w for w in widths))
    winners = ", ".join(f"{c.title}: {document['winners'][c.key] or 'no data'}" for c in CATEGORIES)
    return "\n".join(lines + ["", f"winners: {winners}"])
