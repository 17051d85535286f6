"""The report's charts, drawn as inline SVG from the comparison document."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from .svg import LinearScale, LogScale, Svg, format_ms, log_bins

PALETTE = ("#2563eb", "#d97706", "#059669", "#9333ea", "#dc2626", "#0891b2", "#65a30d", "#c026d3", "#ea580c",
           "#4f46e5")
TARGET_COLOUR = "#b91c1c"
MUTED = "#6b7280"
_LABEL_WIDTH = 150
_WIDTH = 900


def colour(index: int) -> str:
    """The colour of the index-th environment."""
    return PALETTE[index % len(PALETTE)]


def latency_chart(environments: Mapping[str, Mapping[str, Any]], targets: Mapping[str, Mapping[str, Any]]) -> str:
    """One histogram row per environment on a shared logarithmic axis, with p50/p95/p99 and the targets."""
    names = list(environments)
    row = 64
    top, bottom = 44, 34
    svg = Svg(_WIDTH, top + row * len(names) + bottom, "Latency distribution per environment")
    samples = [v for e in environments.values() for v in (e.get("latencySamplesMs") or [])]
    lines = [targets["latencyAvg"]["threshold"], targets["latencyP95"]["threshold"]]
    low = min(samples + [10.0]) * 0.8
    high = max(samples + lines) * 1.25
    x = LogScale(low, high, _LABEL_WIDTH, _WIDTH - 20)
    for tick in x.ticks():
        svg.line(x(tick), top - 6, x(tick), top + row * len(names), stroke="#e5e7eb")
        svg.text(x(tick), top + row * len(names) + 16, format_ms(tick), text_anchor="middle", font_size=11, fill=MUTED)
    for index, name in enumerate(names):
        environment = environments[name]
        base = top + row * (index + 1) - 8
        svg.text(_LABEL_WIDTH - 10, base - 20, name, text_anchor="end", font_size=13, font_weight="bold")
        values = environment.get("latencySamplesMs") or []
        if not values:
            svg.text(_LABEL_WIDTH + 10, base - 20, "no successful probe", font_size=12, fill=MUTED)
            continue
        bins = log_bins(values, x.low, x.high, 60)
        tallest = max(bins)
        width = (x.end - x.start) / len(bins)
        for b, count in enumerate(bins):
            if count:
                height = (row - 16) * count / tallest
                svg.rect(x.start + b * width, base - height, width - 1, height, fill=colour(index), opacity=0.75)
        stats = environment.get("latencyMs") or {}
        for key, dash in (("p50", None), ("p95", "4 3"), ("p99", "1 3")):
            if key in stats:
                svg.line(x(stats[key]), base - row + 14, x(stats[key]), base, stroke="#111827",
                         stroke_width=1.5, stroke_dasharray=dash)
        svg.text(_LABEL_WIDTH - 10, base - 5,
                 f"p50 {format_ms(stats.get('p50', 0))} · p95 {format_ms(stats.get('p95', 0))}",
                 text_anchor="end", font_size=10, fill=MUTED)
    for level, (key, short) in enumerate((("latencyAvg", "avg"), ("latencyP95", "p95"))):
        value = targets[key]["threshold"]
        svg.line(x(value), top - 22 + level * 12, x(value), top + row * len(names), stroke=TARGET_COLOUR,
                 stroke_width=1.5, stroke_dasharray="6 4")
        svg.text(x(value) - 4, top - 24 + level * 12, f"target {short} < {format_ms(value)}", text_anchor="end",
                 font_size=11, fill=TARGET_COLOUR)
    return svg.render()


def uptime_chart(environments: Mapping[str, Mapping[str, Any]], threshold: float) -> str:
    """Grouped bars: each environment's uptime over 1 h, 24 h, 7 d and 30 d, with the target line."""
    names = list(environments)
    windows = ("1h", "24h", "7d", "30d")
    step = 30
    group = 4 * step + 30
    left, top, height = 60, 24, 200
    svg = Svg(max(_WIDTH, left + group * len(names) + 20), top + height + 56, "Uptime per window")
    values = [v for e in environments.values() for v in (e.get("uptime") or {}).values() if v is not None]
    lowest = min(values + [threshold])
    floor = max(0.0, min(threshold - (1 - threshold) * 9, lowest - 0.1 * (1 - lowest)))
    y = LinearScale(floor, 1.0, top + height, top)
    for fraction in (floor, (floor + 1) / 2, 1.0):
        svg.line(left, y(fraction), svg.width - 10, y(fraction), stroke="#e5e7eb")
        svg.text(left - 6, y(fraction) + 4, f"{fraction * 100:.2f} %", text_anchor="end", font_size=10, fill=MUTED)
    for index, name in enumerate(names):
        uptime = environments[name].get("uptime") or {}
        start = left + 10 + index * group
        for w, window in enumerate(windows):
            bar_x = start + w * step
            value = uptime.get(window)
            if value is None:
                svg.rect(bar_x, top + height - 14, step - 4, 14, fill="none", stroke=MUTED, stroke_dasharray="2 2")
                svg.text(bar_x + step / 2 - 2, top + height - 18, "n/a", text_anchor="middle", font_size=9, fill=MUTED)
            else:
                svg.rect(bar_x, y(value), step - 4, top + height - y(value), fill=colour(index),
                         opacity=1.0 if value > threshold else 0.45)
                shown = "100" if value == 1 else f"{value * 100:.2f}"
                svg.text(bar_x + step / 2 - 2, y(value) - 3, shown, text_anchor="middle", font_size=8)
            svg.text(bar_x + step / 2 - 2, top + height + 12, window, text_anchor="middle", font_size=9, fill=MUTED)
        svg.text(start + 2 * step - 2, top + height + 30, name, text_anchor="middle", font_size=12, font_weight="bold")
    svg.line(left, y(threshold), svg.width - 10, y(threshold), stroke=TARGET_COLOUR, stroke_width=1.5,
             stroke_dasharray="6 4")
    svg.text(svg.width - 12, y(threshold) - 4, f"target > {threshold * 100:g} %", text_anchor="end", font_size=11,
             fill=TARGET_COLOUR)
    return svg.render()


def bar_chart(label: str, rows: Sequence[tuple[str, Optional[float], str]], threshold: float) -> str:
    """Horizontal bars of one millisecond figure per environment (None: not measured), with the target."""
    top, row = 24, 26
    svg = Svg(_WIDTH, top + row * len(rows) + 24, label)
    values = [v for _n, v, _c in rows if v is not None]
    x = LinearScale(0, max(values + [threshold]) * 1.15, _LABEL_WIDTH, _WIDTH - 90)
    for index, (name, value, fill) in enumerate(rows):
        y = top + index * row
        svg.text(_LABEL_WIDTH - 10, y + 15, name, text_anchor="end", font_size=12, font_weight="bold")
        if value is None:
            svg.text(_LABEL_WIDTH + 6, y + 15, "not measured", font_size=11, fill=MUTED)
            continue
        svg.rect(_LABEL_WIDTH, y + 3, x(value) - _LABEL_WIDTH, row - 8, fill=fill,
                 opacity=1.0 if value < threshold else 0.45)
        svg.text(x(value) + 6, y + 15, format_ms(value), font_size=11)
    svg.line(x(threshold), top - 8, x(threshold), top + row * len(rows), stroke=TARGET_COLOUR, stroke_width=1.5,
             stroke_dasharray="6 4")
    svg.text(x(threshold) + 4, top - 10, f"target < {format_ms(threshold)}", font_size=11, fill=TARGET_COLOUR)
    return svg.render()


def usage_bar(fraction: float, level: str) -> str:
    """A small bar of used / limit, marked at 80 % and 100 %."""
    svg = Svg(220, 18, f"{fraction * 100:.0f} % of the free allowance")
    x = LinearScale(0, 1.25, 0, 220)
    fill = {"ok": "#059669", "warning": "#d97706", "error": "#dc2626"}[level]
    svg.rect(0, 3, 220, 12, fill="#f3f4f6")
    svg.rect(0, 3, x(fraction), 12, fill=fill)
    for mark in (0.8, 1.0):
        svg.line(x(mark), 0, x(mark), 18, stroke="#111827", stroke_width=1, stroke_dasharray="2 2")
    return svg.render()
