"""`build:StaticBuild` on the real engine: up builds, a second up and a refresh change nothing, a build folder
lost (fresh clone) is rebuilt to the same digest, a bad variant fails up clearly, destroy keeps the artifacts."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.engine.cli import ProjectCopy
from tests.machine import PROJECT_ROOT

pytestmark = pytest.mark.engine

PROGRAM = PROJECT_ROOT / "tests" / "engine" / "programs" / "static_build.py"
APPS = {"chat-commerce-web-theme-1": "theme-1", "ai-admin-dashboard": ""}
API_URL = "https://api.uat.example.com"
BUILD_TYPE = "pulumi-python:dynamic/build:StaticBuild"


def _project(tmp_path: Path, apps: dict[str, str]) -> tuple[ProjectCopy, Path, Path]:
    builds, counter = tmp_path / "builds", tmp_path / "build-runs"
    project = ProjectCopy(
        tmp_path / "project", "uat",
        {"staticbuild:root": str(PROJECT_ROOT), "staticbuild:apiUrl": API_URL, "staticbuild:counter": str(counter),
         "staticbuild:apps": apps},
        extra_env={"STAGECRAFT_BUILD_DIR": str(builds)}, program=PROGRAM,
    )
    return project, builds, counter


def _runs(counter: Path) -> list[str]:
    return counter.read_text().split() if counter.exists() else []


def _meta(html: str, name: str) -> str:
    return re.search(rf'<meta name="{re.escape(name)}" content="([^"]*)"', html).group(1)


def test_up_builds_once_and_a_second_up_and_refresh_change_nothing(tmp_path: Path) -> None:
    project, builds, counter = _project(tmp_path, APPS)
    project.up().check()
    assert sorted(_runs(counter)) == sorted(APPS)
    outputs = project.outputs()
    theme = (Path(outputs["chat-commerce-web-theme-1"]["dir"]) / "index.html").read_text()
    admin = (Path(outputs["ai-admin-dashboard"]["dir"]) / "index.html").read_text()
    assert _meta(theme, "stagecraft:api-url") == API_URL and _meta(theme, "stagecraft:variant") == "theme-1"
    assert _meta(admin, "stagecraft:environment") == "uat" and _meta(admin, "stagecraft:app") == "ai-admin-dashboard"

    project.up("--expect-no-changes").check()
    project.refresh("--expect-no-changes").check()
    assert len(_runs(counter)) == len(APPS)

    shutil.rmtree(builds)  # what a fresh clone or CI runner has: state, but no artifacts
    project.up().check()
    assert len(_runs(counter)) == 2 * len(APPS)
    assert {app: out["digest"] for app, out in project.outputs().items()} == \
        {app: out["digest"] for app, out in outputs.items()}

    assert project.export().count(f'"type": "{BUILD_TYPE}"') == len(APPS)
    project.destroy().check()
    assert project.resource_count() == 0
    assert all(Path(out["dir"]).is_dir() for out in outputs.values())  # shared artifacts outlive a stack


def test_unknown_variant_fails_up_naming_the_app_command_and_reason(tmp_path: Path) -> None:
    project, builds, _counter = _project(tmp_path, {"chat-commerce-web-theme-9": "theme-9"})
    result = project.up()
    assert result.returncode != 0
    assert "build of app 'chat-commerce-web-theme-9'" in result.output
    assert "npm run build` exited with status 1" in result.output
    assert 'VITE_VARIANT=\\"theme-9\\" is not a variant' in result.output or \
        'VITE_VARIANT="theme-9" is not a variant' in result.output
    assert BUILD_TYPE not in project.export()
    assert [p for p in builds.iterdir() if p.name not in (".locks", ".work")] == []
