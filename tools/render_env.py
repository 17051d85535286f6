"""Renders the apps' dotenv files from a stack's outputs (docs/outputs.md, schema version 1).

    pulumi stack output --json --show-secrets -s uat | python -m tools.render_env --stack uat --out env/

writes `env/uat/.env.backend` and `env/uat/.env.<app>` for every frontend, mode 0600 (they hold secrets).
The values are exactly the ones the stack gives its own platforms, so a developer can run any app against any
environment.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from providers.local.env_file import render_dotenv

SUPPORTED_SCHEMA = 1


class OutputsError(ValueError):
    """The outputs are not a stagecraft output document this renderer understands."""


def backend_env(outputs: dict[str, Any]) -> dict[str, str]:
    """The backend's variables (S3 credentials only where the bucket has them: not on a local folder)."""
    storage = outputs["storage"]
    credentials = {"STORAGE_ACCESS_KEY_ID": storage.get("accessKeyId") or "",
                   "STORAGE_SECRET_ACCESS_KEY": storage.get("secretAccessKey") or ""}
    if storage["platform"] == "supabase":  # Supabase's Storage API takes the project key, not S3 credentials
        credentials = {"STORAGE_SERVICE_KEY": storage.get("secretAccessKey") or ""}
    return {
        "ENVIRONMENT": outputs["environment"],
        "DATABASE_URL": outputs["database"]["connectionUri"],
        "REDIS_URL": outputs["redis"]["url"],
        "STORAGE_PLATFORM": storage["platform"],
        "STORAGE_BUCKET": storage["bucket"],
        "STORAGE_ENDPOINT": storage["endpoint"],
        **{key: value for key, value in credentials.items() if value},
        "JWT_SECRET": outputs["jwtSecret"],
    }


def frontend_env(outputs: dict[str, Any]) -> dict[str, str]:
    """What every frontend reads at build time."""
    return {"VITE_API_URL": outputs["api"]["url"], "VITE_ENVIRONMENT": outputs["environment"]}


def env_files(outputs: dict[str, Any]) -> dict[str, dict[str, str]]:
    """File name -> variables, for the backend and each frontend."""
    version = outputs.get("schemaVersion")
    if version != SUPPORTED_SCHEMA:
        raise OutputsError(f"outputs have schemaVersion {version!r}; this renderer reads version {SUPPORTED_SCHEMA}. "
                           f"Update stagecraft, or render with the version that deployed the stack.")
    if "[secret]" in json.dumps(outputs):
        raise OutputsError("outputs hold masked secrets: pass `pulumi stack output --json --show-secrets`")
    files = {".env.backend": backend_env(outputs)}
    for app in sorted(outputs["apps"]):
        files[f".env.{app}"] = frontend_env(outputs)
    return files


def write(folder: Path, files: dict[str, dict[str, str]]) -> list[Path]:
    """Write each file with mode 0600; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, values in files.items():
        path = folder / name
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)
        path.write_text(render_dotenv(values))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render app dotenv files from `pulumi stack output --json --show-secrets`.")
    parser.add_argument("--stack", required=True, help="stack name (the folder under --out)")
    parser.add_argument("--out", default="env", help="folder for the files (default: env)")
    parser.add_argument("--outputs", type=Path, help="read outputs from this file instead of standard input")
    args = parser.parse_args(argv)
    text = args.outputs.read_text() if args.outputs else sys.stdin.read()
    try:
        paths = write(Path(args.out) / args.stack, env_files(json.loads(text)))
    except (OutputsError, KeyError, json.JSONDecodeError) as exc:
        reason = f"missing output {exc}" if isinstance(exc, KeyError) else str(exc)
        print(f"render_env: {reason}", file=sys.stderr)
        return 1
    print(f"render_env: wrote {len(paths)} files to {Path(args.out) / args.stack}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
