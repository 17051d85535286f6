"""Writes the comparison document as one self-contained page, `environment_comparison.html`.

Everything is inline (styles and SVG charts); the page's Content-Security-Policy forbids loading anything
else, so it reads the same from a CI artifact, a mail attachment or a laptop without network.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any, Mapping, Optional

from . import charts
from .files import write_atomically
from .svg import format_ms
from .verdicts import CATEGORIES

FILE_NAME = "environment_comparison.html"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_STYLE = """
body{font-family:"DejaVu Sans",system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#111827;padding:0 16px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #e5e7eb;padding-bottom:4px}
.meta{color:#6b7280;font-size:13px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:5px 8px;border-bottom:1px solid #f3f4f6;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f9fafb}
.met{color:#047857}.missed{color:#b91c1c;font-weight:bold}.none{color:#9ca3af}
.winners{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid #e5e7eb;border-radius:8px;padding:8px 12px;min-width:140px}
.card b{display:block;font-size:16px}.card span{color:#6b7280;font-size:12px}
.level-ok{color:#047857}.level-warning{color:#b45309;font-weight:bold}.level-error{color:#b91c1c;font-weight:bold}
svg{max-width:100%;height:auto}
"""


def _value(category_key: str, value: Optional[float]) -> str:
    if value is None:
        return "–"
    category = next(c for c in CATEGORIES if c.key == category_key)
    return format_ms(value) if category.unit == "ms" else f"{value * 100:.2f} %"


def _cell(verdict: Mapping[str, Any], category_key: str, is_winner: bool) -> str:
    met = verdict.get("met")
    css = "none" if met is None else ("met" if met else "missed")
    mark = "" if met is None else (" ✓" if met else " ✗")
    star = " ★" if is_winner else ""
    return f'<td class="{css}">{escape(_value(category_key, verdict.get("value")))}{mark}{star}</td>'


def _winners(document: Mapping[str, Any]) -> str:
    cards = []
    for category in CATEGORIES:
        name = document["winners"].get(category.key)
        value = (document["environments"].get(name, {}).get("verdicts", {}).get(category.key, {}).get("value")
                 if name else None)
        shown = f"{escape(name)}" if name else "no data"
        cards.append(f'<div class="card"><span>{escape(category.title)}</span><b>{shown}</b>'
                     f'<span>{escape(_value(category.key, value))} · target {escape(category.describe())}</span></div>')
    return f'<div class="winners">{"".join(cards)}</div>'


def _summary_table(document: Mapping[str, Any]) -> str:
    head = "".join(f"<th>{escape(c.title)}<br><small>{escape(c.describe().replace(c.title, '').strip())}</small></th>"
                   for c in CATEGORIES)
    rows = []
    for name, environment in document["environments"].items():
        cells = "".join(_cell(environment["verdicts"][c.key], c.key, document["winners"].get(c.key) == name)
                        for c in CATEGORIES)
        rows.append(f"<tr><td><b>{escape(name)}</b><br><small>{environment['successes']}/{environment['samples']} "
                    f"probes ok</small></td>{cells}</tr>")
    return f"<table><tr><th>environment</th>{head}</tr>{''.join(rows)}</table>"


def _detail_table(document: Mapping[str, Any]) -> str:
    rows = []
    for name, environment in document["environments"].items():
        latency = environment.get("latencyMs") or {}
        uptime = environment.get("uptime") or {}
        cells = [format_ms(latency[k]) if k in latency else "–" for k in ("avg", "p50", "p95", "p99")]
        cells += [f"{uptime[w] * 100:.3f} %" if uptime.get(w) is not None else "no data" for w in ("1h", "24h", "7d", "30d")]
        cold = environment.get("coldStart")
        cells.append(f"{format_ms(cold['ms'])} (idle {cold['idleSeconds']:g} s)" if cold else "not measured")
        errors = "; ".join(f"{e['error']} ×{e['count']}" for e in environment.get("errors", [])) or "none"
        rows.append(f"<tr><td><b>{escape(name)}</b><br><small>{escape(environment['healthUrl'])}</small></td>"
                    + "".join(f"<td>{escape(c)}</td>" for c in cells) + f"<td>{escape(errors)}</td></tr>")
    head = "".join(f"<th>{h}</th>" for h in ("avg", "p50", "p95", "p99", "uptime 1h", "24h", "7d", "30d",
                                            "cold start", "failures"))
    return f"<table><tr><th>environment</th>{head}</tr>{''.join(rows)}</table>"


def _usage(usage: Optional[Mapping[str, Any]]) -> str:
    if not usage:
        return "<p class='meta'>Usage was not read in this run (see <code>stagecraft usage</code>).</p>"
    rows = []
    for platform in usage["platforms"]:
        if not platform["measurements"]:
            rows.append(f"<tr><td><b>{escape(platform['name'])}</b></td><td colspan='4' style='text-align:left'>"
                        f"{escape(platform['state'])}: {escape(platform['message'])}</td></tr>")
        for item in platform["measurements"]:
            level = item["level"]
            rows.append(
                f"<tr><td><b>{escape(platform['name'])}</b><br><small>{escape(item['scope'])}</small></td>"
                f"<td style='text-align:left'>{escape(item['what'])}</td>"
                f"<td>{item['used']:g} / {item['limit']:g}</td>"
                f"<td class='level-{level}'>{item['fraction'] * 100:.0f} % {escape(level)}</td>"
                f"<td>{charts.usage_bar(item['fraction'], level)}</td></tr>")
    thresholds = usage["thresholds"]
    return (f"<p class='meta'>Warning at {thresholds['warning'] * 100:g} %, error at {thresholds['error'] * 100:g} % of "
            f"the free allowance in policies/limits.</p><table><tr><th>platform</th><th>allowance</th><th>used / free</th>"
            f"<th>share</th><th></th></tr>{''.join(rows)}</table>")


def render_html(document: Mapping[str, Any]) -> str:
    """The whole page."""
    environments = document["environments"]
    targets = document["targets"]
    names = list(environments)
    cold_rows = [(n, (environments[n].get("coldStart") or {}).get("ms"), charts.colour(i)) for i, n in enumerate(names)]
    db_rows = [(n, (environments[n].get("dbQueryMs") or {}).get("avg"), charts.colour(i)) for i, n in enumerate(names)]
    run = document["run"]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Environment comparison {escape(document['generatedAt'])}</title>
<style>{_STYLE}</style></head>
<body>
<h1>Environment comparison</h1>
<p class="meta">Generated {escape(document['generatedAt'])} · {run['samplesPerEnvironment']} probes per environment ·
{len(names)} environments · schema version {document['schemaVersion']} · history {escape(run['history'])}</p>
<h2>Winners</h2>
{_winners(document)}
<h2>Against the targets</h2>
{_summary_table(document)}
<h2>Latency distribution</h2>
<p class="meta">Warm successful probes of this run; solid line p50, dashed p95, dotted p99.</p>
{charts.latency_chart(environments, targets)}
<h2>Uptime</h2>
{charts.uptime_chart(environments, targets['uptime']['threshold'])}
<h2>Cold start</h2>
<p class="meta">First request after at least {run['idlePeriodSeconds']:g} s without probes.</p>
{charts.bar_chart('Cold start per environment', cold_rows, targets['coldStart']['threshold'])}
<h2>Database query time</h2>
<p class="meta">The API's own database check (average of this run).</p>
{charts.bar_chart('Database query time per environment', db_rows, targets['dbQuery']['threshold'])}
<h2>Details</h2>
{_detail_table(document)}
<h2>Free-tier usage</h2>
{_usage(document.get('usage'))}
</body></html>
"""


def write_html(document: Mapping[str, Any], folder: Path) -> Path:
    """Write the page into `folder`; returns its path."""
    path = folder / FILE_NAME
    write_atomically(path, render_html(document))
    return path
