"""`build:StaticBuild` with the real stand-in web app: built once, reused, rebuilt on change, failing clearly,
atomic, and bounded in concurrency."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest

from providers.build import builder, digest
from providers.build.builder import BuildFailed, BuildSpec, ensure_artifact
from providers.build.prune import prune
from providers.build.static_build import StaticBuildArgs, StaticBuildProvider
from providers._http import UNKNOWN
from tests.machine import PROJECT_ROOT

WEB = "examples/product/web"
UAT_VALUES = {"VITE_API_URL": "https://api.uat.example.com", "VITE_ENVIRONMENT": "uat", "VITE_VARIANT": "theme-3"}


@pytest.fixture
def build_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private artifact folder for the test (the npm tree comes from the machine cache, installed once)."""
    folder = tmp_path / "builds"
    monkeypatch.setenv(builder.BUILD_DIR_VAR, str(folder))
    return folder


def _props(root: Path = PROJECT_ROOT, source: str = WEB, command: str = "npm run build",
           env: dict | None = None, app: str = "chat-commerce-web-theme-3", output: str = "dist") -> dict:
    return {"app": app, "source": source, "root": str(root), "build_command": command, "output_directory": output,
            "env": dict(UAT_VALUES if env is None else env),
            "source_digest": digest.source_digest(root / source, output)}


def _counted(command: str, counter: Path) -> str:
    """``command`` that first records that it ran."""
    return f'echo run >> "{counter}" && {command}'


def _runs(counter: Path) -> int:
    return counter.read_text().count("run") if counter.exists() else 0


def _meta(html: str, name: str) -> str:
    return re.search(rf'<meta name="{re.escape(name)}" content="([^"]*)"', html).group(1)


@pytest.fixture
def shell_source(tmp_path: Path) -> Path:
    """A source folder without npm, for builds that are a shell command."""
    root = tmp_path / "project"
    (root / "site").mkdir(parents=True)
    (root / "site" / "page.txt").write_text("hello\n")
    return root


def _shell_props(root: Path, command: str, **env: str) -> dict:
    return _props(root=root, source="site", command=command, env=env or {"VITE_VARIANT": "x"}, app="shell-app")


def _leftovers(build_dir: Path) -> list[Path]:
    work = build_dir / builder.WORKSPACES
    return [p for p in build_dir.iterdir() if p.name not in (builder.LOCKS, builder.WORKSPACES)] + (
        list(work.iterdir()) if work.is_dir() else [])


def test_build_writes_the_site_with_the_stacks_values(build_dir: Path) -> None:
    outs = StaticBuildProvider().create(_props()).outs
    html = (Path(outs["artifact_dir"]) / "index.html").read_text()
    assert _meta(html, "stagecraft:api-url") == "https://api.uat.example.com"
    assert _meta(html, "stagecraft:environment") == "uat" and _meta(html, "stagecraft:variant") == "theme-3"
    assert Path(outs["artifact_dir"]).parent == build_dir


def test_outputs_describe_the_artifact(build_dir: Path) -> None:
    outs = StaticBuildProvider().create(_props()).outs
    folder = Path(outs["artifact_dir"])
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert outs["file_count"] == len(files) and outs["size_bytes"] == sum(p.stat().st_size for p in files)
    assert outs["artifact_digest"] == digest.tree_digest(folder, digest.output_files(folder))
    assert {k: outs[k] for k in _props()} == _props()


def test_second_build_of_the_same_inputs_runs_nothing(build_dir: Path, tmp_path: Path) -> None:
    counter = tmp_path / "runs"
    props = _props(command=_counted("npm run build", counter))
    first = StaticBuildProvider().create(props).outs
    second = StaticBuildProvider().update("app", first, props).outs
    assert _runs(counter) == 1 and second == first


def test_changed_value_is_an_update_that_rebuilds(build_dir: Path) -> None:
    provider = StaticBuildProvider()
    olds = provider.create(_props()).outs
    news = _props(env={**UAT_VALUES, "VITE_API_URL": "https://api2.uat.example.com"})
    diff = provider.diff("app", olds, news)
    assert diff.changes and diff.replaces == []
    outs = provider.update("app", olds, news).outs
    html = (Path(outs["artifact_dir"]) / "index.html").read_text()
    assert _meta(html, "stagecraft:api-url") == "https://api2.uat.example.com"
    assert outs["artifact_digest"] != olds["artifact_digest"] and Path(olds["artifact_dir"]).is_dir()


def test_rebuild_in_a_fresh_build_folder_gives_the_same_digest(
    build_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = StaticBuildProvider().create(_props()).outs
    monkeypatch.setenv(builder.BUILD_DIR_VAR, str(tmp_path / "other-clone-builds"))
    second = StaticBuildProvider().create(_props()).outs
    assert second["artifact_dir"] != first["artifact_dir"] and second["artifact_digest"] == first["artifact_digest"]


def test_unknown_variant_fails_naming_app_command_status_and_reason(build_dir: Path) -> None:
    with pytest.raises(BuildFailed) as failure:
        StaticBuildProvider().create(_props(env={**UAT_VALUES, "VITE_VARIANT": "theme-9"}))
    message = str(failure.value)
    assert "app 'chat-commerce-web-theme-3'" in message and "`npm run build` exited with status 1" in message
    assert 'VITE_VARIANT="theme-9" is not a variant of this app' in message
    assert _leftovers(build_dir) == []


def test_failing_command_shows_the_last_forty_lines(build_dir: Path, shell_source: Path) -> None:
    command = "for i in $(seq 1 100); do echo line-$i; done; echo 'fatal: broken' >&2; exit 3"
    with pytest.raises(BuildFailed) as failure:
        StaticBuildProvider().create(_shell_props(shell_source, command))
    message = str(failure.value)
    assert "app 'shell-app'" in message and "exited with status 3" in message and "fatal: broken" in message
    assert "line-100" in message and "line-61\n" not in message and "line-62" in message


def test_failed_build_leaves_no_artifact_and_no_workspace(build_dir: Path, shell_source: Path) -> None:
    command = "mkdir -p dist && echo partial > dist/index.html && exit 1"
    with pytest.raises(BuildFailed):
        StaticBuildProvider().create(_shell_props(shell_source, command))
    assert _leftovers(build_dir) == []


def test_command_that_writes_no_output_folder_says_so(build_dir: Path, shell_source: Path) -> None:
    with pytest.raises(BuildFailed, match=r"succeeded but wrote nothing to 'dist'; set the app's outputDirectory"):
        StaticBuildProvider().create(_shell_props(shell_source, "echo built elsewhere"))


def test_artifact_appears_only_complete(build_dir: Path, shell_source: Path) -> None:
    command = "mkdir dist && echo a > dist/a.txt && sleep 0.5 && echo b > dist/b.txt"
    props = _shell_props(shell_source, command)
    target = build_dir / BuildSpec("shell-app", shell_source / "site", command, "dist", props["env"],
                                   props["source_digest"]).key
    seen: list[set[str]] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if target.is_dir():
                seen.append({p.name for p in target.iterdir()})
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        StaticBuildProvider().create(props)
    finally:
        done.set()
        watcher.join()
    assert seen == [] or all(names == {"a.txt", "b.txt"} for names in seen)
    assert {p.name for p in target.iterdir()} == {"a.txt", "b.txt"}


def test_build_sees_its_values_but_not_the_provider_credentials(
    build_dir: Path, shell_source: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KOYEB_TOKEN", "koyeb-credential-value")
    outs = StaticBuildProvider().create(_shell_props(shell_source, "mkdir dist && env > dist/env.txt",
                                                     VITE_API_URL="https://api.example.com")).outs
    seen = (Path(outs["artifact_dir"]) / "env.txt").read_text()
    assert "VITE_API_URL=https://api.example.com" in seen and "koyeb-credential-value" not in seen


def test_build_copy_leaves_out_dependencies_and_old_output(build_dir: Path, shell_source: Path) -> None:
    (shell_source / "site" / "node_modules" / "left-pad").mkdir(parents=True)
    (shell_source / "site" / "dist").mkdir()
    (shell_source / "site" / "dist" / "stale.html").write_text("old")
    outs = StaticBuildProvider().create(_shell_props(shell_source, "mkdir dist && ls -A > dist/listing.txt")).outs
    assert (Path(outs["artifact_dir"]) / "listing.txt").read_text().split() == ["dist", "page.txt"]


def test_builds_run_concurrently_up_to_the_core_count(build_dir: Path, shell_source: Path, tmp_path: Path) -> None:
    running = tmp_path / "running"
    running.mkdir()
    log = tmp_path / "concurrency.log"
    command = (f'mkdir "{running}/$$" && ls "{running}" | wc -l >> "{log}" && sleep 0.4 && rmdir "{running}/$$" '
               "&& mkdir dist && echo $VITE_VARIANT > dist/v.txt")
    threads = [threading.Thread(target=StaticBuildProvider().create,
                                args=(_shell_props(shell_source, command, VITE_VARIANT=f"v{i}"),)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts = [int(line) for line in log.read_text().split()]
    assert len(counts) == 6 and max(counts) <= builder.BUILD_SLOTS
    assert max(counts) == min(2, builder.BUILD_SLOTS)


def test_concurrent_builds_of_one_key_build_once(build_dir: Path, shell_source: Path, tmp_path: Path) -> None:
    counter = tmp_path / "runs"
    props = _shell_props(shell_source, _counted("sleep 0.3 && mkdir dist && echo x > dist/x.txt", counter))
    results: list[dict] = []
    threads = [threading.Thread(target=lambda: results.append(StaticBuildProvider().create(props).outs))
               for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _runs(counter) == 1 and len({r["artifact_dir"] for r in results}) == 1 and len(results) == 3


def test_build_that_runs_too_long_is_stopped(
    build_dir: Path, shell_source: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(builder.TIMEOUT_VAR, "1")
    started = time.monotonic()
    with pytest.raises(BuildFailed, match=r"did not finish within 1 s and was stopped"):
        StaticBuildProvider().create(_shell_props(shell_source, "echo starting; sleep 30 & wait"))
    assert time.monotonic() - started < 10 and _leftovers(build_dir) == []


def test_diff_ignores_the_project_root(build_dir: Path, shell_source: Path) -> None:
    provider = StaticBuildProvider()
    olds = provider.create(_shell_props(shell_source, "mkdir dist && echo x > dist/x.txt")).outs
    assert not provider.diff("app", olds, {**_shell_props(shell_source, "mkdir dist && echo x > dist/x.txt"),
                                           "root": "/elsewhere/stagecraft"}).changes


@pytest.mark.parametrize("field,value", [
    ("source_digest", "0" * 64), ("build_command", "npm run build:prod"), ("output_directory", "build"),
    ("source", "site2"), ("env", {"VITE_VARIANT": "y"}),
])
def test_diff_change_of_an_input_is_an_update_not_a_replace(field: str, value, shell_source: Path) -> None:
    olds = {**_shell_props(shell_source, "true"), "artifact_dir": str(shell_source)}
    diff = StaticBuildProvider().diff("app", olds, {**olds, field: value})
    assert diff.changes and diff.replaces == []


def test_diff_rebuilds_when_the_artifact_is_missing_on_this_machine(shell_source: Path) -> None:
    props = _shell_props(shell_source, "true")
    diff = StaticBuildProvider().diff("app", {**props, "artifact_dir": str(shell_source / "gone")}, props)
    assert diff.changes and diff.replaces == []


def test_diff_of_unknown_values_at_preview_is_a_change(shell_source: Path) -> None:
    olds = {**_shell_props(shell_source, "true"), "artifact_dir": str(shell_source)}
    assert StaticBuildProvider().diff("app", olds, {**olds, "env": {"VITE_API_URL": UNKNOWN}}).changes


def test_read_returns_the_state_as_it_is(shell_source: Path) -> None:
    state = {**_shell_props(shell_source, "true"), "artifact_dir": "/gone", "artifact_digest": "d" * 64,
             "file_count": 3, "size_bytes": 10}
    read = StaticBuildProvider().read("shell-app", state)
    assert read.id == "shell-app" and read.outs == state


def test_delete_keeps_the_shared_artifact(build_dir: Path, shell_source: Path) -> None:
    outs = StaticBuildProvider().create(_shell_props(shell_source, "mkdir dist && echo x > dist/x.txt")).outs
    StaticBuildProvider().delete("shell-app", outs)
    assert (Path(outs["artifact_dir"]) / "x.txt").is_file()


def test_check_names_a_missing_source_folder(shell_source: Path) -> None:
    result = StaticBuildArgs.check({**_shell_props(shell_source, "true"), "source": "apps/missing"})
    assert [f.property for f in result.failures] == ["source"]
    assert f"{shell_source / 'apps/missing'} is not a folder" in result.failures[0].reason


def test_check_refuses_a_credential_among_the_build_values(shell_source: Path) -> None:
    result = StaticBuildArgs.check({**_shell_props(shell_source, "true"), "env": {"VITE_STRIPE_SECRET": "sk"}})
    assert "VITE_STRIPE_SECRET looks like a credential" in result.failures[0].reason


def test_check_refuses_an_output_folder_outside_the_source(shell_source: Path) -> None:
    result = StaticBuildArgs.check({**_shell_props(shell_source, "true"), "output_directory": "../dist"})
    assert result.failures[0].reason.startswith("build:StaticBuild.output_directory: '../dist' is not valid")


def test_check_passes_values_unknown_at_preview(shell_source: Path) -> None:
    result = StaticBuildArgs.check({**_shell_props(shell_source, "true"), "env": {"VITE_API_URL": UNKNOWN}})
    assert result.failures == []


def test_source_digest_skips_dependencies_output_and_caches(tmp_path: Path) -> None:
    app = tmp_path / "app"
    (app / "src").mkdir(parents=True)
    (app / "src" / "main.js").write_text("x")
    before = digest.tree_digest(app, digest.source_files(app, "dist"))
    for noise in ("node_modules/a/index.js", "dist/index.html", ".git/HEAD", "src/.vite-cache/x"):
        (app / noise).parent.mkdir(parents=True, exist_ok=True)
        (app / noise).write_text("noise")
    assert digest.tree_digest(app, digest.source_files(app, "dist")) == before


def test_source_digest_follows_content_and_names(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "a.js").write_text("1")
    first = digest.tree_digest(app, digest.source_files(app, "dist"))
    (app / "a.js").write_text("2")
    second = digest.tree_digest(app, digest.source_files(app, "dist"))
    (app / "a.js").rename(app / "b.js")
    assert len({first, second, digest.tree_digest(app, digest.source_files(app, "dist"))}) == 3


def test_source_digest_is_computed_once_per_folder(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "a.js").write_text("1")
    first = digest.source_digest(app)
    (app / "a.js").write_text("2")
    assert digest.source_digest(app) == first


def test_source_digest_names_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError, match="does not exist or is not a folder"):
        digest.source_digest(tmp_path / "nope")


def test_prune_removes_unreferenced_artifacts_and_keeps_referenced(build_dir: Path, shell_source: Path) -> None:
    provider = StaticBuildProvider()
    kept = provider.create(_shell_props(shell_source, "mkdir dist && echo 1 > dist/x", VITE_VARIANT="a")).outs
    dropped = provider.create(_shell_props(shell_source, "mkdir dist && echo 2 > dist/x", VITE_VARIANT="b")).outs
    report = prune(build_dir, [kept["artifact_dir"]])
    assert report.removed == [Path(dropped["artifact_dir"])] and report.kept == [Path(kept["artifact_dir"])]
    assert Path(kept["artifact_dir"]).is_dir() and not Path(dropped["artifact_dir"]).exists()


def test_prune_leaves_a_key_that_is_being_built(build_dir: Path) -> None:
    (build_dir / builder.WORKSPACES / f"{'a' * 64}-x1").mkdir(parents=True)
    with builder.key_lock(build_dir, "a" * 64):
        report = prune(build_dir, [])
    assert report.busy == [build_dir / builder.WORKSPACES / f"{'a' * 64}-x1"] and report.removed == []


def test_ensure_artifact_reports_whether_it_built(build_dir: Path, shell_source: Path) -> None:
    spec = BuildSpec("shell-app", shell_source / "site", "mkdir dist && echo x > dist/x", "dist", {},
                     digest.source_digest(shell_source / "site"))
    assert ensure_artifact(spec, build_dir).built and not ensure_artifact(spec, build_dir).built
