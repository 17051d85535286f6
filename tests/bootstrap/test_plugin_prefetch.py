"""Provider SDKs stay out of the language host's plugin prefetch (bootstrap/plugin_prefetch.py): the engine asks
for no plugin before a run, while the SDKs stay installed and importable."""

from __future__ import annotations

import json
import secrets
import subprocess
from pathlib import Path

import pytest

from tests.engine.cli import ProjectCopy
from tests.engine.dev_stack import dev_config

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
BRIDGED = ["pulumi-cloudflare", "pulumi-github", "pulumi-neon", "pulumi-random", "pulumiverse-vercel"]


def _venv_python(*args: str) -> str:
    return subprocess.run([str(PYTHON), *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout


def test_the_provider_sdks_are_the_packages_that_declare_a_resource_plugin() -> None:
    found = _venv_python("-c", "from bootstrap.plugin_prefetch import provider_sdks; print(provider_sdks())")

    assert found.strip() == str(BRIDGED)


def test_pip_list_as_the_language_host_runs_it_leaves_them_out() -> None:
    listed = {p["name"].lower().replace("_", "-") for p in json.loads(_venv_python("-m", "pip", "list", "-v",
                                                                                   "--format", "json"))}

    assert "pulumi" in listed
    assert not listed & set(BRIDGED)


def test_the_sdks_stay_installed_and_importable() -> None:
    frozen = _venv_python("-m", "pip", "freeze").lower().replace("_", "-")

    assert all(f"{name}==" in frozen for name in BRIDGED)
    assert _venv_python("-c", "import pulumi_cloudflare, pulumiverse_vercel; print('ok')").strip() == "ok"


@pytest.mark.engine
def test_a_dev_preview_asks_the_engine_for_no_plugin_download(tmp_path: Path) -> None:
    project = ProjectCopy(tmp_path / "project", "dev", dev_config(tmp_path, f"sc_test_{secrets.token_hex(4)}"))

    preview = project.preview("-v=7", "--logtostderr").check()

    assert "gatherPluginsFromProgram(): plugin cloudflare" not in preview.stderr
    assert "not installed, doing install" not in preview.stderr
