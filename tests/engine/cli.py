"""Runs the real `pulumi` CLI on a throwaway copy of the project, with its own file state backend."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PROGRAM_PARTS = ("__main__.py", "components", "providers", "settings", "examples", "policies")
# Installed trees and build output in the stand-in product are this clone's, never part of a copy.
_NOT_COPIED = shutil.ignore_patterns("__pycache__", "node_modules", "dist", ".vite-cache")
DEV_PASSPHRASE = "stagecraft-dev"


@cache
def engine_bin() -> str:
    """Directory of the engine bootstrap/engine.sh provides (built once per machine, then cached)."""
    done = subprocess.run(["bash", str(PROJECT_ROOT / "bootstrap" / "engine.sh")], check=True,
                          capture_output=True, text=True)
    return done.stdout.strip().splitlines()[-1]


def engine_env(backend_url: str, passphrase: str) -> dict[str, str]:
    """This process's environment plus what running the engine offline needs: the engine and the project's
    venv first on PATH, a file state backend, the passphrase, and no update check or plugin download."""
    return {
        **os.environ,
        "PATH": f"{engine_bin()}{os.pathsep}{PROJECT_ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "PULUMI_BACKEND_URL": backend_url,
        "PULUMI_CONFIG_PASSPHRASE": passphrase,
        "PULUMI_SKIP_UPDATE_CHECK": "1",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "1",
    }


@dataclass
class Result:
    """One CLI run."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def check(self) -> Result:
        if self.returncode != 0:
            raise AssertionError(f"pulumi {' '.join(self.args)} failed ({self.returncode}):\n{self.output[-6000:]}")
        return self


class ProjectCopy:
    """The program (or `program` in its place) copied into `root` with a stack config of the test's choosing,
    run by the real CLI."""

    def __init__(self, root: Path, stack: str, config: dict[str, Any], extra_env: dict[str, str] | None = None,
                 passphrase: str = DEV_PASSPHRASE, program: Path | None = None) -> None:
        self.root = root
        self.stack = stack
        root.mkdir(parents=True, exist_ok=True)
        for part in PROGRAM_PARTS:
            source = PROJECT_ROOT / part
            if source.is_dir():
                shutil.copytree(source, root / part, ignore=_NOT_COPIED)
            else:
                shutil.copy2(source, root / part)
        if program is not None:
            shutil.copy2(program, root / "__main__.py")
        project = yaml.safe_load((PROJECT_ROOT / "Pulumi.yaml").read_text())
        project["runtime"]["options"]["virtualenv"] = str(PROJECT_ROOT / ".venv")
        (root / "Pulumi.yaml").write_text(yaml.safe_dump(project))
        self.write_config(config)
        state = root / ".state"
        state.mkdir()
        self.env = {**engine_env(f"file://{state}", passphrase), **(extra_env or {})}
        self.run("stack", "init", stack).check()

    def write_config(self, config: dict[str, Any]) -> None:
        path = self.root / f"Pulumi.{self.stack}.yaml"
        existing = yaml.safe_load(path.read_text()) if path.exists() else {}
        document = {k: v for k, v in (existing or {}).items() if k != "config"}
        document["config"] = config
        path.write_text(yaml.safe_dump(document))

    def run(self, *args: str, timeout: float = 600) -> Result:
        """`pulumi <args>` in the copy, as is."""
        done = subprocess.run(["pulumi", *args], cwd=self.root, env=self.env, capture_output=True, text=True,
                              timeout=timeout)
        return Result(list(args), done.returncode, done.stdout, done.stderr)

    def stack_command(self, *args: str) -> Result:
        """`pulumi <args> -s <stack> --non-interactive`."""
        return self.run(*args, "-s", self.stack, "--non-interactive")

    def up(self, *flags: str) -> Result:
        return self.stack_command("up", "--yes", "--skip-preview", *flags)

    def preview(self, *flags: str) -> Result:
        return self.stack_command("preview", *flags)

    def refresh(self, *flags: str) -> Result:
        return self.stack_command("refresh", "--yes", "--skip-preview", *flags)

    def destroy(self, *flags: str) -> Result:
        return self.stack_command("destroy", "--yes", "--skip-preview", *flags)

    def outputs(self) -> dict[str, Any]:
        return json.loads(self.run("stack", "output", "--json", "--show-secrets", "-s", self.stack).check().stdout)

    def export(self) -> str:
        return self.run("stack", "export", "-s", self.stack).check().stdout

    def resource_count(self) -> int:
        """Resources in the stack's state, less the Stack resource the engine always registers."""
        deployment = json.loads(self.export()).get("deployment") or {}  # null until a first update
        return sum(1 for r in deployment.get("resources") or [] if r["type"] != "pulumi:pulumi:Stack")
