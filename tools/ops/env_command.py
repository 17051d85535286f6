"""`stagecraft env -s <stack>`: the apps' env files and EAS build profile from the stack's outputs.

    stagecraft env -s preprod                       # env/preprod/.env.backend, .env.<app>..., eas.json
    stagecraft env -s uat --out /tmp/env --eas-json apps/mobile/eas.json

Reads `pulumi stack output --json --show-secrets -s <stack>` (or `--outputs FILE`, `-` for standard input), and
writes every file with mode 0600: they hold the stack's secrets. `--eas-json` merges the stack's profile into an
existing `eas.json`, keeping its other profiles and keys.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Mapping

from .command import Command
from .env_files import (EAS_JSON, eas_document, eas_profile, env_files, preview_base, write_eas_json,
                        write_env_files, write_private)
from .errors import OperationsError
from .stack_outputs import PROJECT_ROOT, read_stack_outputs


def configure(parser: argparse.ArgumentParser) -> None:
    """The arguments of `stagecraft env`."""
    parser.add_argument("-s", "--stack", required=True, help="the stack whose outputs to render")
    parser.add_argument("--out", type=Path, default=Path("env"),
                        help="folder the files go to, under <out>/<stack>/ (default: env)")
    parser.add_argument("--outputs", metavar="FILE",
                        help="read the output document from FILE ('-': standard input) instead of running pulumi")
    parser.add_argument("--project", type=Path, metavar="DIR", default=PROJECT_ROOT,
                        help="the Pulumi project the stack belongs to (default: this clone)")
    parser.add_argument("--eas-json", type=Path, metavar="FILE",
                        help="also merge the stack's build profile into this eas.json (made when missing)")


def _read_outputs(args: argparse.Namespace) -> Mapping[str, Any]:
    if args.outputs is None:
        if not (args.project / "Pulumi.yaml").is_file():
            raise OperationsError(f"--project {args.project}: no Pulumi.yaml there; pass the project's folder")
        return read_stack_outputs(args.stack, cwd=args.project)
    try:
        text = sys.stdin.read() if args.outputs == "-" else Path(args.outputs).read_text(encoding="utf-8")
        outputs = json.loads(text)
    except OSError as exc:
        raise OperationsError(f"--outputs {args.outputs}: {exc.strerror or exc}") from None
    except ValueError:
        raise OperationsError(f"--outputs {args.outputs}: not a JSON document (pass what "
                              "`pulumi stack output --json --show-secrets` prints)") from None
    if not isinstance(outputs, dict):
        raise OperationsError(f"--outputs {args.outputs}: not a JSON object")
    return outputs


def run(args: argparse.Namespace) -> int:
    """Render and write the files; prints what it wrote."""
    outputs = _read_outputs(args)
    stack = str(outputs.get("stack") or args.stack)
    if stack != args.stack:
        raise OperationsError(f"these outputs belong to stack {stack!r}, not {args.stack!r}; render them with "
                              f"-s {stack}")
    files = env_files(outputs)
    profile = eas_profile(outputs)
    if profile is None and args.eas_json is not None:
        raise OperationsError(f"stack {stack!r} has no mobile channel (its outputs' mobile is null), so there is no "
                              f"EAS profile for {args.eas_json}; set stagecraft:mobile.projectId and run pulumi up")
    folder = args.out / stack
    written = write_env_files(folder, files)
    if profile is not None:
        written.append(write_private(folder / EAS_JSON, json.dumps(eas_document(stack, profile), indent=2) + "\n"))
        if args.eas_json is not None:
            written.append(write_eas_json(args.eas_json, stack, profile))
    for path in written:
        print(path)
    base = preview_base(outputs)
    if base:
        print(f"no .env.backend: {stack} uses {base}'s cache and bucket, whose settings its outputs do not carry; "
              f"`stagecraft env -s {base}` writes {base}'s", file=sys.stderr)
    return 0


COMMAND = Command("env", "write the apps' env files and EAS build profile from a stack's outputs (mode 0600)",
                  configure, run)
