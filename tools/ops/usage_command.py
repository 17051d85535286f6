"""`stagecraft usage [--json FILE]`: free-tier usage per platform; exit status 1 when an allowance is used up."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Mapping

from .command import Command
from .errors import OperationsError
from .files import write_atomically
from .usage.model import WARNING
from .usage.report import read_usage


def configure(parser: argparse.ArgumentParser) -> None:
    """The arguments of `stagecraft usage`."""
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the usage document to FILE")


def render(usage: Mapping[str, Any]) -> str:
    """The readings as a table, then what could not be read and why."""
    rows = [("platform", "allowance", "scope", "used / free", "share")]
    notes = []
    for platform in usage["platforms"]:
        for item in platform["measurements"]:
            mark = {"ok": "", "warning": "  WARNING", "error": "  ERROR"}[item["level"]]
            rows.append((platform["name"], item["what"], item["scope"], f"{item['used']:.4g} / {item['limit']:g}",
                         f"{item['fraction'] * 100:.0f} %{mark}"))
        if platform["state"] != "measured":
            notes.append(f"{platform['name']}: {platform['state']}: {platform['message']}")
        else:
            notes += [f"{platform['name']}: {u['id']}: {u['why']}" for u in platform["unmeasured"]]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines + ["", f"warning at {WARNING * 100:g} %, error at 100 % of the allowance in policies/limits",
                              "", "not measured:", *[f"  {n}" for n in notes]])


def run(args: argparse.Namespace, out: Any = None) -> int:
    """Read every platform, print, optionally write the JSON."""
    stream = out or sys.stdout
    if args.json is not None and not args.json.parent.is_dir():
        raise OperationsError(f"--json {args.json}: folder {args.json.parent} does not exist")
    usage = read_usage()
    print(render(usage), file=stream)
    if args.json is not None:
        write_atomically(args.json, json.dumps(usage, indent=2) + "\n")
    return 1 if usage["worst"] == "error" else 0


COMMAND = Command("usage", "free-tier usage from the platforms' usage APIs against policies/limits (a warning at 80 percent, an error at 100)",
                  configure, run)
