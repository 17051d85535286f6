"""A few SVG primitives and scales for the report's inline charts (no library, no network)."""

from __future__ import annotations

import math
from html import escape
from typing import Iterable


def _attrs(attributes: dict[str, object]) -> str:
    parts = []
    for key, value in attributes.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        shown = f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
        parts.append(f'{name}="{escape(shown, quote=True)}"')
    return " ".join(parts)


class Svg:
    """An SVG document built element by element."""

    def __init__(self, width: int, height: int, label: str) -> None:
        self.width = width
        self.height = height
        self.label = label
        self._parts: list[str] = []

    def element(self, tag: str, text: str = "", **attributes: object) -> None:
        """Append one element; `text` is escaped."""
        inner = escape(text) if text else ""
        self._parts.append(f"<{tag} {_attrs(attributes)}>{inner}</{tag}>" if inner else f"<{tag} {_attrs(attributes)}/>")

    def rect(self, x: float, y: float, width: float, height: float, **attributes: object) -> None:
        """A rectangle (negative sizes are clamped to zero)."""
        self.element("rect", x=float(x), y=float(y), width=float(max(0.0, width)), height=float(max(0.0, height)),
                     **attributes)

    def line(self, x1: float, y1: float, x2: float, y2: float, **attributes: object) -> None:
        """A straight line."""
        self.element("line", x1=float(x1), y1=float(y1), x2=float(x2), y2=float(y2), **attributes)

    def text(self, x: float, y: float, text: str, **attributes: object) -> None:
        """A text label."""
        self.element("text", text, x=float(x), y=float(y), **attributes)

    def circle(self, x: float, y: float, r: float, **attributes: object) -> None:
        """A dot."""
        self.element("circle", cx=float(x), cy=float(y), r=float(r), **attributes)

    def title(self, text: str) -> None:
        """A tooltip for the preceding group (and the accessible name of the chart)."""
        self._parts.append(f"<title>{escape(text)}</title>")

    def render(self) -> str:
        """The SVG markup, sized and labelled for screen readers."""
        body = "".join(self._parts)
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width} {self.height}" '
                f'width="{self.width}" height="{self.height}" role="img" aria-label="{escape(self.label, quote=True)}">'
                f"{body}</svg>")


class LinearScale:
    """Maps a value range onto a pixel range."""

    def __init__(self, low: float, high: float, start: float, end: float) -> None:
        self.low, self.high, self.start, self.end = low, high if high > low else low + 1, start, end

    def __call__(self, value: float) -> float:
        clipped = min(max(value, self.low), self.high)
        return self.start + (clipped - self.low) / (self.high - self.low) * (self.end - self.start)


class LogScale:
    """Maps positive values logarithmically onto a pixel range (for latencies spanning decades)."""

    def __init__(self, low: float, high: float, start: float, end: float) -> None:
        self.low = max(low, 0.1)
        self.high = max(high, self.low * 10)
        self.start, self.end = start, end

    def __call__(self, value: float) -> float:
        clipped = min(max(value, self.low), self.high)
        share = (math.log10(clipped) - math.log10(self.low)) / (math.log10(self.high) - math.log10(self.low))
        return self.start + share * (self.end - self.start)

    def ticks(self) -> list[float]:
        """1-2-5 ticks within the range."""
        found = []
        decade = 10 ** math.floor(math.log10(self.low))
        while decade <= self.high:
            for step in (1, 2, 5):
                value = decade * step
                if self.low <= value <= self.high:
                    found.append(value)
            decade *= 10
        return found


def log_bins(values: Iterable[float], low: float, high: float, count: int) -> list[int]:
    """How many values fall in each of `count` logarithmically even bins between low and high."""
    bins = [0] * count
    span = math.log10(high) - math.log10(low)
    for value in values:
        share = (math.log10(min(max(value, low), high)) - math.log10(low)) / span
        bins[min(count - 1, int(share * count))] += 1
    return bins


def format_ms(value: float) -> str:
    """1234.5 -> '1.23 s', 87.25 -> '87.3 ms'."""
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
