"""`providers._node.npm_tree`: npm trees installed once per lockfile into the machine cache, never half-done."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from providers._node import npm_tree

MANIFEST = {"name": "npm-tree-fixture", "version": "1.0.0", "private": True, "dependencies": {"is-number": "7.0.0"}}
LOCKFILE = {
    "name": "npm-tree-fixture",
    "version": "1.0.0",
    "lockfileVersion": 3,
    "requires": True,
    "packages": {
        "": {"name": "npm-tree-fixture", "version": "1.0.0", "dependencies": {"is-number": "7.0.0"}},
        "node_modules/is-number": {
            "version": "7.0.0",
            "resolved": "https://registry.npmjs.org/is-number/-/is-number-7.0.0.tgz",
            "integrity": "sha512-41Cifkg6e8TylSpdtTpeLVMqvSBEVzTttHvERD741+pnZ8ANv0004MRL43QKPDlK9cGvNp6NZWZUBlbGXYxxng==",
            "license": "MIT",
            "engines": {"node": ">=0.12.0"},
        },
    },
}


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A tiny package with one real dependency from the npm registry."""
    directory = tmp_path / "pkg"
    directory.mkdir()
    (directory / "package.json").write_text(json.dumps(MANIFEST))
    (directory / "package-lock.json").write_text(json.dumps(LOCKFILE))
    return directory


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STAGECRAFT_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("STAGECRAFT_NODE", raising=False)
    monkeypatch.delenv("STAGECRAFT_NPM", raising=False)
    return tmp_path / "cache"


def _script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def _counting_npm(tmp_path: Path) -> tuple[Path, Path]:
    """An npm wrapper that records each call before running the real npm."""
    calls = tmp_path / "npm-calls"
    real = npm_tree.npm_bin()
    return _script(tmp_path / "npm-counting", f'echo call >> "{calls}"\nexec "{real}" "$@"\n'), calls


def test_tree_is_installed_into_the_cache_keyed_by_lockfile_and_node_major(package: Path, cache: Path) -> None:
    modules = npm_tree.ensure_tree(package)
    major = npm_tree.node_major(npm_tree.node_bin())
    assert modules == cache / "npm" / npm_tree.tree_key(package / "package-lock.json", major) / "node_modules"
    assert json.loads((modules / "is-number" / "package.json").read_text())["version"] == "7.0.0"
    assert not (package / "node_modules").exists()


def test_second_call_reuses_the_tree_without_running_npm(
    package: Path, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = npm_tree.ensure_tree(package)
    monkeypatch.setenv("STAGECRAFT_NPM", str(_script(tmp_path / "npm-fails", "exit 99\n")))
    assert npm_tree.ensure_tree(package) == first


def test_concurrent_callers_share_one_install(
    package: Path, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    npm, calls = _counting_npm(tmp_path)
    monkeypatch.setenv("STAGECRAFT_NPM", str(npm))
    results: list[Path] = []
    threads = [threading.Thread(target=lambda: results.append(npm_tree.ensure_tree(package))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and len(results) == 4
    assert calls.read_text().count("call") == 1


def test_failing_npm_names_status_and_output_tail_and_leaves_nothing(
    package: Path, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = "".join(f"echo progress line {i}\n" for i in range(60)) + "echo 'npm error 404 Not Found' >&2\nexit 7\n"
    monkeypatch.setenv("STAGECRAFT_NPM", str(_script(tmp_path / "npm-broken", body)))
    with pytest.raises(npm_tree.NpmInstallFailed) as failure:
        npm_tree.ensure_tree(package)
    message = str(failure.value)
    assert "status 7" in message and "npm error 404 Not Found" in message and str(package) in message
    assert "progress line 59" in message and "progress line 5\n" not in message
    assert sorted(p.name for p in (cache / "npm").iterdir() if not p.name.endswith(".lock")) == []


def test_a_failed_install_is_retried_by_the_next_call(
    package: Path, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STAGECRAFT_NPM", str(_script(tmp_path / "npm-broken", "exit 1\n")))
    with pytest.raises(npm_tree.NpmInstallFailed):
        npm_tree.ensure_tree(package)
    monkeypatch.delenv("STAGECRAFT_NPM")
    assert (npm_tree.ensure_tree(package) / "is-number").is_dir()


def test_missing_lockfile_is_named_with_the_command_that_creates_it(package: Path, cache: Path) -> None:
    (package / "package-lock.json").unlink()
    with pytest.raises(FileNotFoundError, match=r"package-lock\.json is missing.*npm install"):
        npm_tree.ensure_tree(package)


def test_missing_node_says_how_to_install_it(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(npm_tree.NodeToolMissing, match=r"`node` was not found on PATH; install Node\.js 20"):
        npm_tree.node_bin()


def test_missing_npm_says_how_to_install_it(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(npm_tree.NodeToolMissing, match=r"`npm` was not found on PATH; install Node\.js 20"):
        npm_tree.npm_bin()


def test_node_older_than_20_is_refused(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGECRAFT_NODE", str(_script(tmp_path / "node18", "echo v18.19.0\n")))
    with pytest.raises(npm_tree.NodeToolMissing, match=r"is Node\.js 18; stagecraft's builds need 20\+"):
        npm_tree.node_bin()


def test_node_override_that_is_not_executable_is_named(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGECRAFT_NODE", "/nonexistent/node")
    with pytest.raises(npm_tree.NodeToolMissing, match=r"STAGECRAFT_NODE=/nonexistent/node is not an executable"):
        npm_tree.node_bin()


def test_tree_key_changes_with_node_major(package: Path) -> None:
    lockfile = package / "package-lock.json"
    assert npm_tree.tree_key(lockfile, 20) != npm_tree.tree_key(lockfile, 22)


def test_cache_root_follows_stagecraft_cache_then_xdg_then_home() -> None:
    assert npm_tree.cache_root({"STAGECRAFT_CACHE": "/c", "XDG_CACHE_HOME": "/x"}) == Path("/c")
    assert npm_tree.cache_root({"XDG_CACHE_HOME": "/x", "HOME": "/h"}) == Path("/x/stagecraft")
    assert npm_tree.cache_root({"HOME": "/h"}) == Path("/h/.cache/stagecraft")


def test_output_tail_drops_terminal_colour_codes() -> None:
    assert npm_tree.output_tail("\x1b[31merror during build:\x1b[39m\n") == "error during build:"


def test_npm_sees_no_platform_credential_of_the_provider_process(
    package: Path, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = tmp_path / "npm-env"
    monkeypatch.setenv("KOYEB_TOKEN", "koyeb-token-of-the-stack")
    monkeypatch.setenv("npm_config_registry", "https://registry.example")
    monkeypatch.setenv("STAGECRAFT_NPM", str(_script(tmp_path / "npm-env-dump", f'env > "{seen}"\nmkdir node_modules\n')))
    npm_tree.ensure_tree(package)
    names = {line.split("=", 1)[0] for line in seen.read_text().splitlines()}
    assert ("KOYEB_TOKEN" in names, {"PATH", "HOME", "npm_config_registry"} <= names) == (False, True)
