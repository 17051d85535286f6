"""vercel:PrebuiltOutput: a build laid out as Vercel Build Output v3, with the files map vercel.Deployment takes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from providers.vercel.prebuilt_output import PrebuiltOutputArgs, PrebuiltOutputProvider

DIGEST = "d" * 64
OTHER_DIGEST = "e" * 64


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "builds" / "web"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text("<html>preprod</html>")
    (folder / "assets" / "app.js").write_text("console.log('preprod')")
    return folder


def props(site: Path, root: Path, digest: str = DIGEST) -> dict:
    return {"app": "web", "artifact_dir": str(site), "artifact_digest": digest, "root": str(root)}


def test_the_layout_is_build_output_v3_with_the_site_under_static(site, tmp_path):
    outs = PrebuiltOutputProvider().create(props(site, tmp_path)).outs
    output = tmp_path / outs["path"] / ".vercel" / "output"
    assert (output / "static" / "index.html").read_text() == "<html>preprod</html>"
    assert (output / "static" / "assets" / "app.js").is_file()
    assert json.loads((output / "config.json").read_text())["version"] == 3


def test_the_files_map_gives_size_and_sha1_of_every_file_relative_to_the_project(site, tmp_path):
    outs = PrebuiltOutputProvider().create(props(site, tmp_path)).outs
    prefix = outs["path"]
    assert prefix == f".stagecraft/vercel/{DIGEST[:32]}"
    key = f"{prefix}/.vercel/output/static/index.html"
    content = b"<html>preprod</html>"
    assert outs["files"][key] == f"{len(content)}~{hashlib.sha1(content).hexdigest()}"
    assert sorted(k.removeprefix(f"{prefix}/.vercel/output/") for k in outs["files"]) == [
        "config.json", "static/assets/app.js", "static/index.html"]
    for key, size_sha in outs["files"].items():  # what the provider reads from disk at deploy time
        data = (tmp_path / key).read_bytes()
        assert size_sha == f"{len(data)}~{hashlib.sha1(data).hexdigest()}"


def test_a_single_page_app_falls_back_to_index_html(site, tmp_path):
    outs = PrebuiltOutputProvider().create(props(site, tmp_path)).outs
    config = json.loads((tmp_path / outs["path"] / ".vercel/output/config.json").read_text())
    assert config["routes"] == [{"handle": "filesystem"}, {"src": "/(.*)", "dest": "/index.html"}]


def test_a_site_with_its_own_404_page_gets_no_fallback(site, tmp_path):
    (site / "404.html").write_text("not here")
    outs = PrebuiltOutputProvider().create(props(site, tmp_path)).outs
    assert "routes" not in json.loads((tmp_path / outs["path"] / ".vercel/output/config.json").read_text())


def test_the_same_build_on_another_machine_gives_the_same_map(site, tmp_path):
    first = PrebuiltOutputProvider().create(props(site, tmp_path / "laptop")).outs
    second = PrebuiltOutputProvider().create(props(site, tmp_path / "ci-runner")).outs
    assert (first["path"], first["files"]) == (second["path"], second["files"])


def test_an_unchanged_build_is_no_change(site, tmp_path):
    outs = PrebuiltOutputProvider().create(props(site, tmp_path)).outs
    assert PrebuiltOutputProvider().diff("web", outs, props(site, tmp_path)).changes is False


def test_a_new_build_digest_is_a_change(site, tmp_path):
    outs = PrebuiltOutputProvider().create(props(site, tmp_path)).outs
    assert PrebuiltOutputProvider().diff("web", outs, props(site, tmp_path, OTHER_DIGEST)).changes is True


def test_a_layout_missing_on_this_machine_is_laid_out_again_to_the_same_map(site, tmp_path):
    provider = PrebuiltOutputProvider()
    outs = provider.create(props(site, tmp_path)).outs
    provider.delete("web", outs)
    assert provider.diff("web", outs, props(site, tmp_path)).changes is True
    assert provider.update("web", outs, props(site, tmp_path)).outs["files"] == outs["files"]


def test_a_new_build_replaces_the_old_layout(site, tmp_path):
    provider = PrebuiltOutputProvider()
    outs = provider.create(props(site, tmp_path)).outs
    (site / "index.html").write_text("<html>rebuilt</html>")
    new = provider.update("web", outs, props(site, tmp_path, OTHER_DIGEST)).outs
    assert not (tmp_path / outs["path"]).exists() and (tmp_path / new["path"]).is_dir()


def test_a_missing_build_fails_naming_the_app(tmp_path):
    with pytest.raises(Exception, match="build of app 'web'.*missing or empty"):
        PrebuiltOutputProvider().create(props(tmp_path / "gone", tmp_path))


def test_a_relative_project_folder_fails_check(site):
    failures = PrebuiltOutputArgs.check(props(site, Path("relative"))).failures
    assert [f.property for f in failures] == ["root"]
