"""The pieces of the uuid-ossp build that need no download: apt source entries, source patch, compiler
flags, cache location."""

from __future__ import annotations

import io
import shutil
import tarfile
from pathlib import Path

import pytest

from bootstrap.pg import debsrc, toolchain, uuid_ossp
from bootstrap.pg.binaries import Installation
from bootstrap.pg.errors import BootstrapError

DEB822 = """\
Types: deb
# a snapshot comment inside the paragraph
URIs: http://mirror.test/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.test/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://disabled.test/debian
Suites: bookworm
Components: main
Enabled: no
"""

ONE_LINE = """\
# comment
deb [arch=amd64 signed-by=/etc/apt/keyrings/local.gpg] http://one.test/debian bookworm main contrib
deb http://one.test/debian bullseye main
deb http://nomain.test/debian bookworm contrib
"""

INLINE_KEY = """\
Types: deb
URIs: http://inline.test/debian
Suites: bookworm
Components: main
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 abc
 -----END PGP PUBLIC KEY BLOCK-----
"""

C_SOURCE = '#include "postgres.h"\n\n#include "fmgr.h"\n'


def _write_sources(tmp_path: Path, files: dict) -> Path:
    parts = tmp_path / "sources.list.d"
    parts.mkdir()
    for name, text in files.items():
        (parts / name).write_text(text)
    return parts


def test_deb822_entries_for_the_release_main_are_found(tmp_path: Path) -> None:
    parts = _write_sources(tmp_path, {"debian.sources": DEB822})

    archives = debsrc.machine_archives("bookworm", tmp_path / "no-sources.list", parts)

    assert archives == [debsrc.Archive("http://mirror.test/debian", "/usr/share/keyrings/debian-archive-keyring.gpg")]


def test_one_line_entries_keep_their_signed_by_and_skip_other_releases(tmp_path: Path) -> None:
    (tmp_path / "sources.list").write_text(ONE_LINE)

    archives = debsrc.machine_archives("bookworm", tmp_path / "sources.list", tmp_path / "none")

    assert archives == [debsrc.Archive("http://one.test/debian", "/etc/apt/keyrings/local.gpg")]


def test_files_apt_would_not_read_are_ignored(tmp_path: Path) -> None:
    parts = _write_sources(tmp_path, {"debian.sources.disabled": DEB822})

    assert debsrc.machine_archives("bookworm", tmp_path / "none", parts) == []


def test_an_inline_signing_key_is_carried_into_the_deb_src_entry(tmp_path: Path) -> None:
    parts = _write_sources(tmp_path, {"inline.sources": INLINE_KEY})

    (archive,) = debsrc.machine_archives("bookworm", tmp_path / "none", parts)
    entry = archive.as_deb_src("bookworm")

    assert entry.startswith("Types: deb-src\nURIs: http://inline.test/debian\nSuites: bookworm\nComponents: main\n")
    assert "Signed-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n abc\n -----END PGP PUBLIC KEY BLOCK-----\n" in entry


def test_no_archive_for_the_release_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BootstrapError, match="no `deb` entry for bookworm main"):
        debsrc.download("postgresql-15", "bookworm", [], tmp_path / "apt")


def test_bookworm_builds_from_postgresql_15() -> None:
    assert debsrc.source_package("bookworm", {}) == "postgresql-15"


def test_the_source_package_can_be_overridden() -> None:
    assert debsrc.source_package("trixie", {"STAGECRAFT_PG_CONTRIB_SOURCE": "postgresql-17"}) == "postgresql-17"


def test_an_unknown_release_names_the_override_variable() -> None:
    with pytest.raises(BootstrapError, match="STAGECRAFT_PG_CONTRIB_SOURCE"):
        debsrc.source_package("sid", {})


def test_codename_is_read_from_os_release(tmp_path: Path) -> None:
    (tmp_path / "os-release").write_text('NAME="Debian GNU/Linux"\nVERSION_CODENAME=bookworm\n')

    assert debsrc.release_codename(tmp_path / "os-release") == "bookworm"


def test_patch_adds_varatt_after_postgres_h() -> None:
    assert uuid_ossp.patch_source(C_SOURCE) == '#include "postgres.h"\n#include "varatt.h"\n\n#include "fmgr.h"\n'


def test_patch_leaves_a_source_that_already_includes_varatt() -> None:
    patched = uuid_ossp.patch_source(C_SOURCE)

    assert uuid_ossp.patch_source(patched) == patched


def test_patch_of_an_unexpected_source_is_an_error() -> None:
    with pytest.raises(BootstrapError, match="postgres.h"):
        uuid_ossp.patch_source("int main(void) { return 0; }\n")


def test_cache_root_prefers_stagecraft_cache_then_xdg_then_home() -> None:
    assert uuid_ossp.cache_root({"STAGECRAFT_CACHE": "/c", "XDG_CACHE_HOME": "/x"}) == Path("/c/postgres")
    assert uuid_ossp.cache_root({"XDG_CACHE_HOME": "/x", "HOME": "/h"}) == Path("/x/stagecraft/postgres")
    assert uuid_ossp.cache_root({"HOME": "/h"}) == Path("/h/.cache/stagecraft/postgres")


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
def test_flags_the_compiler_rejects_are_dropped() -> None:
    flags = ["-O2", "-Wall", "-Wthis-flag-does-not-exist", "-fwrapv"]

    assert toolchain.accepted_flags("gcc", flags) == ["-O2", "-Wall", "-fwrapv"]


def _tarball(path: Path, members: dict) -> None:
    with tarfile.open(path, "w:xz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_only_the_wanted_contrib_directory_is_extracted(tmp_path: Path) -> None:
    _tarball(tmp_path / "postgresql-15_15.18.orig.tar.xz", {
        "postgresql-15.18/contrib/uuid-ossp/uuid-ossp.c": b"c",
        "postgresql-15.18/contrib/uuid-ossp/sql/uuid_ossp.sql": b"t",
        "postgresql-15.18/contrib/uuid-ossp-extra/x.c": b"no",
        "postgresql-15.18/src/backend/main.c": b"no",
    })

    dest = debsrc.extract_subdir(tmp_path, "contrib/uuid-ossp", tmp_path / "out")

    extracted = sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file())
    assert extracted == ["sql/uuid_ossp.sql", "uuid-ossp.c"]


def test_a_tarball_without_the_directory_is_an_error(tmp_path: Path) -> None:
    _tarball(tmp_path / "pkg_1.orig.tar.xz", {"pkg-1/README": b"x"})

    with pytest.raises(BootstrapError, match="has no contrib/uuid-ossp/"):
        debsrc.extract_subdir(tmp_path, "contrib/uuid-ossp", tmp_path / "out")


def _fake_installation(tmp_path: Path) -> Installation:
    install = Installation(bin_dir=tmp_path / "pg" / "bin", pkglib_dir=tmp_path / "pg" / "lib",
                           share_dir=tmp_path / "pg" / "share", version="18.6")
    install.pkglib_dir.mkdir(parents=True)
    install.extension_dir.mkdir(parents=True)
    return install


def _fill_cache(directory: Path) -> None:
    (directory / "lib").mkdir(parents=True)
    (directory / "extension").mkdir()
    (directory / "lib" / "uuid-ossp.so").write_bytes(b"\x7fELF built once")
    (directory / "extension" / "uuid-ossp.control").write_text("default_version = '1.1'\n")
    (directory / "extension" / "uuid-ossp--1.1.sql").write_text("-- functions\n")


def test_a_cached_build_is_copied_in_without_building(tmp_path: Path) -> None:
    install = _fake_installation(tmp_path)
    env = {"STAGECRAFT_CACHE": str(tmp_path / "cache")}
    _fill_cache(uuid_ossp.cache_root(env) / "18.6")

    outcome = uuid_ossp.ensure(install, env, say=lambda _: None)

    assert outcome == "cached"
    assert (install.pkglib_dir / "uuid-ossp.so").read_bytes() == b"\x7fELF built once"
    assert (install.pkglib_dir / "uuid-ossp.so").stat().st_mode & 0o777 == 0o755
    assert (install.extension_dir / "uuid-ossp--1.1.sql").is_file()


def test_an_installation_that_has_uuid_ossp_needs_nothing(tmp_path: Path) -> None:
    install = _fake_installation(tmp_path)
    (install.pkglib_dir / "uuid-ossp.so").write_bytes(b"present")
    (install.extension_dir / "uuid-ossp.control").write_text("x")

    outcome = uuid_ossp.ensure(install, {"STAGECRAFT_CACHE": str(tmp_path / "empty-cache")}, say=lambda _: None)

    assert outcome == "present"
    assert not (tmp_path / "empty-cache").exists()


def test_missing_build_tools_without_root_name_the_apt_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(toolchain, "missing_pieces", lambda cc: ["libuuid headers (uuid/uuid.h)"])
    monkeypatch.setattr(toolchain.os, "geteuid", lambda: 1000)

    with pytest.raises(BootstrapError, match=r"libuuid headers.*sudo apt-get install -y gcc make libc6-dev uuid-dev"):
        toolchain.ensure("gcc", say=lambda _: None)


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
def test_a_compiler_that_is_not_installed_is_reported_missing() -> None:
    assert toolchain.missing_pieces("no-such-cc-stagecraft") == ["C compiler (no-such-cc-stagecraft)"]
