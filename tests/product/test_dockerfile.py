"""The product API's Dockerfile agrees with its requirements.txt and the project's pins.

The image itself cannot be built on this machine (no Docker engine); these checks hold the files consistent.
"""

from __future__ import annotations

import re
import tomllib

from tests.machine import PROJECT_ROOT
from tests.product.conftest import API_DIR

DOCKERFILE = (API_DIR / "Dockerfile").read_text()


def _pins(text: str) -> dict[str, str]:
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[re.sub(r"\[.*\]", "", name).lower().replace("_", "-")] = version
    return pins


REQUIREMENTS = _pins((API_DIR / "requirements.txt").read_text())


def test_every_requirement_is_pinned_exactly_as_the_project_lock() -> None:
    lock = _pins((PROJECT_ROOT / "requirements.lock").read_text())
    assert REQUIREMENTS and {name: lock.get(name) for name in REQUIREMENTS} == REQUIREMENTS


def test_test_extra_pins_the_same_versions_as_the_api() -> None:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    declared = _pins("\n".join(project["dependencies"] + project["optional-dependencies"]["test"]))
    for name in ("fastapi", "uvicorn", "redis", "boto3", "psycopg"):
        assert declared[name] == REQUIREMENTS[name]


def test_image_installs_requirements_without_unpinned_dependencies() -> None:
    assert "COPY requirements.txt ./" in DOCKERFILE
    assert re.search(r"pip install --no-deps -r requirements\.txt && pip check", DOCKERFILE)


def test_image_uses_a_slim_python_matching_the_project() -> None:
    base = re.search(r"^FROM python:(\d+\.\d+)-slim", DOCKERFILE, re.M)
    requires = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert base and tuple(map(int, base.group(1).split("."))) >= tuple(map(int, requires.lstrip(">=").split(".")))


def test_image_runs_as_a_non_root_user() -> None:
    user = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
    assert user and user[-1] not in ("root", "0")


def test_image_serves_the_app_on_the_platforms_port() -> None:
    assert re.search(r"^ENV (?:[^\n]*\\\n)*[^\n]*\bPORT=8000\b", DOCKERFILE, re.M)
    cmd = re.search(r"^CMD (.+)$", DOCKERFILE, re.M).group(1)
    assert "uvicorn product_api.main:app" in cmd and '--port \\"$PORT\\"' in cmd


def test_image_copies_the_app_package_the_command_names() -> None:
    assert "COPY product_api ./product_api" in DOCKERFILE
    assert (API_DIR / "product_api" / "main.py").is_file()
