"""The engine's command line, as the delivery commands drive it (`pulumi` on PATH: `. bootstrap/env.sh`, or CI's).

One place that runs `pulumi <args> --non-interactive` in the project folder, bounded in time, and turns a failure
into one line naming the command and the engine's own last error line.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, List, Mapping, Optional

from tools.ops.errors import OperationsError

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class CliResult:
    """One finished command."""

    args: List[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        """Whether it exited 0."""
        return self.returncode == 0

    def reason(self) -> str:
        """The engine's last error line (or the exit status)."""
        lines = [line.strip() for line in (self.stderr + "\n" + self.stdout).splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("error:")]
        return (errors or lines or [f"exit status {self.returncode}"])[-1].removeprefix("error: ")


class PulumiCli:
    """Runs `pulumi` for one project folder."""

    def __init__(self, cwd: Path = PROJECT_ROOT, program: Optional[str] = None,
                 env: Optional[Mapping[str, str]] = None, timeout: float = 1800.0):
        found = program or shutil.which("pulumi", path=(env or {}).get("PATH"))
        if found is None:
            raise OperationsError("the pulumi CLI is not on PATH; run `. bootstrap/env.sh` first (it provides the "
                                  "project's engine)")
        self.program = found
        self.cwd = cwd
        self.env = dict(env) if env is not None else None
        self.timeout = timeout

    def run(self, *args: str) -> CliResult:
        """`pulumi <args> --non-interactive`; never raises for a non-zero exit (see `CliResult.ok`)."""
        command = [self.program, *args, "--non-interactive"]
        try:
            done = subprocess.run(command, cwd=self.cwd, env=self.env, capture_output=True, text=True,
                                  timeout=self.timeout)
        except subprocess.TimeoutExpired:
            return CliResult(list(args), 124, "", f"error: did not finish within {self.timeout:.0f} s")
        return CliResult(list(args), done.returncode, done.stdout, done.stderr)

    def stack_names(self) -> List[str]:
        """Names of the project's stacks (`pulumi stack ls --json`), without any organisation/project prefix."""
        result = self.run("stack", "ls", "--json")
        if not result.ok:
            raise OperationsError(f"`pulumi stack ls --json` failed: {result.reason()}")
        try:
            listed: Any = json.loads(result.stdout or "[]")
        except json.JSONDecodeError:
            raise OperationsError("`pulumi stack ls --json` did not print JSON") from None
        return [str(entry["name"]).split("/")[-1] for entry in listed if isinstance(entry, dict) and entry.get("name")]
