"""Fetch one contrib module's source from Debian's PostgreSQL source package with apt.

apt runs with a private sources list, package lists and cache in a scratch directory, so the machine's
apt configuration is neither read for deb-src lines nor changed: the archive (and its signing key) is
taken from the machine's own `deb` entries for its release, turned into `deb-src` entries.
"""

from __future__ import annotations

import os
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Dict, Iterable, List, Mapping, Optional

from .errors import BootstrapError

ENV_SOURCE_PACKAGE = "STAGECRAFT_PG_CONTRIB_SOURCE"

# Debian releases whose PostgreSQL source package is known to carry a uuid-ossp that builds against the
# wheel's PostgreSQL (see DESIGN.md section 6).
SOURCE_PACKAGE_BY_CODENAME = {"bookworm": "postgresql-15"}

APT_SOURCES_FILE = Path("/etc/apt/sources.list")
APT_SOURCES_DIR = Path("/etc/apt/sources.list.d")


@dataclass(frozen=True)
class Archive:
    """A Debian archive the machine already uses: where it is and how apt verifies it."""

    uri: str
    signed_by: Optional[str]
    trusted: bool = False

    def as_deb_src(self, suite: str) -> str:
        """A deb822 paragraph for this archive's source index of one suite's main component."""
        lines = ["Types: deb-src", f"URIs: {self.uri}", f"Suites: {suite}", "Components: main"]
        if self.signed_by:
            signed = self.signed_by.split("\n")
            lines.append(f"Signed-By: {signed[0]}".rstrip())
            # An inline key keeps its continuation lines (each starts with a space, '.' for blank ones).
            lines.extend(signed[1:])
        if self.trusted:
            lines.append("Trusted: yes")
        return "\n".join(lines) + "\n"


def release_codename(os_release: Path = Path("/etc/os-release")) -> str:
    """The Debian codename (e.g. bookworm) of this machine."""
    try:
        text = os_release.read_text(encoding="utf-8")
    except OSError:
        text = ""
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key == "VERSION_CODENAME" and value.strip().strip('"'):
            return value.strip().strip('"')
    raise BootstrapError(
        "cannot tell this machine's Debian release (no VERSION_CODENAME in /etc/os-release); uuid-ossp is "
        "built from Debian's PostgreSQL sources, so on another system point the project at your own "
        "PostgreSQL with vector, pg_trgm and uuid-ossp (--host/--port, STAGECRAFT_PG_HOST/PORT)"
    )


def source_package(codename: str, env: Mapping[str, str]) -> str:
    """The source package that holds contrib/uuid-ossp for this release (or the override)."""
    chosen = env.get(ENV_SOURCE_PACKAGE) or SOURCE_PACKAGE_BY_CODENAME.get(codename)
    if not chosen:
        raise BootstrapError(
            f"no known PostgreSQL source package for Debian {codename!r} to build uuid-ossp from; set "
            f"{ENV_SOURCE_PACKAGE} to one this release has (e.g. postgresql-15 or postgresql-17), or point "
            "the project at your own PostgreSQL with the three extensions (STAGECRAFT_PG_HOST/PORT)"
        )
    return chosen


def _paragraphs(text: str) -> Iterable[Dict[str, str]]:
    """deb822 paragraphs as field -> value, continuation lines kept (joined with newlines)."""
    fields: Dict[str, str] = {}
    last: Optional[str] = None
    for raw in text.splitlines() + [""]:
        if raw.startswith("#"):
            continue
        if not raw.strip():
            if fields:
                yield fields
            fields, last = {}, None
        elif raw[0] in " \t" and last is not None:
            fields[last] += "\n" + raw
        else:
            key, _, value = raw.partition(":")
            last = key.strip().lower()
            fields[last] = value.strip()


def _from_deb822(text: str, codename: str) -> List[Archive]:
    found = []
    for fields in _paragraphs(text):
        if fields.get("enabled", "yes").strip().lower() == "no":
            continue
        types = fields.get("types", "").split()
        if not {"deb", "deb-src"} & set(types):
            continue
        if codename not in fields.get("suites", "").split() or "main" not in fields.get("components", "").split():
            continue
        trusted = fields.get("trusted", "").strip().lower() == "yes"
        for uri in fields.get("uris", "").split():
            found.append(Archive(uri=uri, signed_by=fields.get("signed-by") or None, trusted=trusted))
    return found


def _from_one_line(text: str, codename: str) -> List[Archive]:
    found = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        options: Dict[str, str] = {}
        kind, _, rest = line.partition(" ")
        rest = rest.strip()
        if rest.startswith("["):
            opts, _, rest = rest[1:].partition("]")
            for opt in opts.split():
                key, _, value = opt.partition("=")
                options[key] = value
        parts = rest.split()
        if kind not in ("deb", "deb-src") or len(parts) < 3:
            continue
        uri, suite, components = parts[0], parts[1], parts[2:]
        if suite != codename or "main" not in components:
            continue
        found.append(Archive(uri=uri, signed_by=options.get("signed-by"), trusted=options.get("trusted") == "yes"))
    return found


def machine_archives(
    codename: str, sources_file: Path = APT_SOURCES_FILE, sources_dir: Path = APT_SOURCES_DIR
) -> List[Archive]:
    """The archives this machine's apt uses for `<codename> main`, without duplicates, in apt's order."""
    found: List[Archive] = []
    files = [sources_file] + (sorted(sources_dir.iterdir()) if sources_dir.is_dir() else [])
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".sources":
            found += _from_deb822(text, codename)
        elif path.suffix == ".list" or path == sources_file:
            found += _from_one_line(text, codename)
    unique: List[Archive] = []
    for archive in found:
        if archive.uri.rstrip("/") not in {a.uri.rstrip("/") for a in unique}:
            unique.append(archive)
    return unique


def _apt(args: List[str], workdir: Path, cwd: Path) -> None:
    options = [
        f"-o Dir::Etc::SourceList={workdir / 'sources.list'}",
        f"-o Dir::Etc::SourceParts={workdir / 'sources.list.d'}",
        f"-o Dir::State::Lists={workdir / 'lists'}",
        f"-o Dir::Cache={workdir / 'cache'}",
    ]
    argv = ["apt-get", "-q", *[part for opt in options for part in opt.split(" ", 1)], *args]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive", LC_ALL="C")
    try:
        result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise BootstrapError(
            "apt-get is not available, so uuid-ossp cannot be built from Debian's sources; point the project "
            "at your own PostgreSQL with vector, pg_trgm and uuid-ossp (STAGECRAFT_PG_HOST/PORT)"
        ) from None
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-8:])
        raise BootstrapError(f"`apt-get {' '.join(args)}` (private source list) failed:\n{tail}")


def download(package: str, codename: str, archives: List[Archive], workdir: Path) -> Path:
    """Download `package`'s source files into `workdir/download`; returns that directory."""
    if not archives:
        raise BootstrapError(
            f"this machine's apt has no `deb` entry for {codename} main to take the Debian archive from; "
            f"add one (e.g. in /etc/apt/sources.list.d/debian.sources) and run this again"
        )
    (workdir / "sources.list.d").mkdir(parents=True)
    (workdir / "sources.list").write_text("", encoding="utf-8")
    (workdir / "sources.list.d" / "stagecraft-src.sources").write_text(
        "\n".join(a.as_deb_src(codename) for a in archives), encoding="utf-8"
    )
    for sub in ("lists/partial", "cache/archives/partial", "download"):
        (workdir / sub).mkdir(parents=True)
    _apt(["update"], workdir, workdir)
    _apt(["source", "--download-only", package], workdir, workdir / "download")
    return workdir / "download"


def extract_subdir(download_dir: Path, subdir: str, dest: Path) -> Path:
    """Extract `<top>/<subdir>/...` from the upstream tarball in download_dir into dest; returns dest."""
    tarballs = sorted(download_dir.glob("*.orig.tar.*"))
    if not tarballs:
        raise BootstrapError(f"apt downloaded no upstream tarball into {download_dir}; cannot build {subdir}")
    wanted = PurePosixPath(subdir).parts
    count = 0
    # Streamed ("r|*") because only a few small members of a large archive are needed.
    with tarfile.open(tarballs[0], mode="r|*") as tar:
        for member in tar:
            parts = PurePosixPath(member.name).parts
            if len(parts) <= len(wanted) + 1 or parts[1 : 1 + len(wanted)] != wanted or not member.isfile():
                continue
            relative = parts[1 + len(wanted) :]
            if any(p in ("..", "") for p in relative):
                continue
            target = dest.joinpath(*relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None  # isfile() members always have content
            target.write_bytes(source.read())
            count += 1
    if count == 0:
        raise BootstrapError(f"{tarballs[0].name} has no {subdir}/; cannot build it from this source package")
    return dest
