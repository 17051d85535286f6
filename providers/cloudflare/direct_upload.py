"""Cloudflare Pages Direct Upload: the files of a built site, their hashes, and their upload to the asset store.

This is the upload half of `wrangler pages deploy` (Wrangler 4.86.0, packages/wrangler/src/pages/validate.ts,
upload.ts, deploy-helpers hash.ts), made over the shared HTTP layer:
- files: every regular file under the directory except Wrangler's ignore list (`_worker.js`, `_redirects`,
  `_headers`, `_routes.json`, `functions`, `.DS_Store`, `node_modules`, `.git`, `.wrangler`); symlinks are skipped;
  each at most 25 MiB, at most the token's `max_file_count_allowed` (20,000 by default) files;
- hash: the first 32 hex digits of BLAKE3 over the file's base64 text followed by its extension;
- calls: upload token, `check-missing` with every hash, `upload` of the missing files in buckets (largest first,
  at most 40 MiB and 2,000 files per request, starting with three buckets), `upsert-hashes` with every hash;
- an expired upload token (Cloudflare answers 403 `Expired JWT`, or 401 code 8000013) is replaced by a new one and
  the call repeated, as Wrangler does; so is a token whose `exp` has passed before a call.
The manifest for the deployment maps `/<path>` to each file's hash.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import logging
import mimetypes
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, TypeVar

from blake3 import blake3

from .._http import ProviderError, Unauthorized
from .client import API, AssetsClient, CloudflareClient

log = logging.getLogger("stagecraft.cloudflare")

MAX_FILE_BYTES = 25 * 1024 * 1024
DEFAULT_MAX_FILES = 20_000
BUCKET_BYTES = 40 * 1024 * 1024
BUCKET_FILES = 2_000
FIRST_BUCKETS = 3
SPECIAL_FILES = ("_headers", "_redirects")
_IGNORED_TOP = ("_worker.js", "_redirects", "_headers", "_routes.json", "functions", ".wrangler")
_IGNORED_ANYWHERE = (".DS_Store", "node_modules", ".git")
# Wrangler asks the `mime` package; these differ from Python's own table.
_MEDIA_TYPES = {".js": "application/javascript", ".mjs": "application/javascript", ".map": "application/json",
                ".webmanifest": "application/manifest+json", ".xml": "application/xml", ".wasm": "application/wasm"}

T = TypeVar("T")


class InvalidSiteDirectory(ProviderError):
    """The directory to deploy is missing, empty, or breaks a Pages limit."""


@dataclass(frozen=True)
class SiteFile:
    """One file to deploy: where it is, its `/`-separated name, media type, size and Pages hash."""

    path: Path
    name: str
    content_type: str
    size: int
    hash: str


def hash_file(path: Path) -> str:
    """Pages' asset key: BLAKE3 of base64(content) + extension (no dot), first 32 hex digits."""
    encoded = base64.b64encode(path.read_bytes())
    extension = path.suffix[1:].encode()
    return blake3(encoded + extension).hexdigest()[:32]


def media_type(name: str) -> str:
    """The `contentType` Wrangler sends for a file name (`mime.getType`, else application/octet-stream)."""
    suffix = os.path.splitext(name)[1].lower()
    return _MEDIA_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def _ignored(relative: str) -> bool:
    parts = relative.split("/")
    return parts[0] in _IGNORED_TOP and len(parts) == 1 or any(
        fnmatch.fnmatchcase(part, pattern) for part in parts for pattern in _IGNORED_ANYWHERE
    )


def collect_files(directory: Path, *, max_files: int = DEFAULT_MAX_FILES, label: str = "") -> dict[str, SiteFile]:
    """The files Pages would deploy from `directory`, by name; raises `InvalidSiteDirectory` naming the problem."""
    where = f"{label} directory {directory}" if label else f"directory {directory}"
    if not directory.is_dir():
        raise InvalidSiteDirectory(
            f"{API} Pages: the {where} does not exist (or is not a folder); build the app first so its output "
            f"folder holds the site, then run pulumi up again"
        )
    files: dict[str, SiteFile] = {}
    for root, dirs, names in os.walk(directory):
        rel_root = os.path.relpath(root, directory)
        dirs[:] = sorted(
            d for d in dirs if not _ignored(_join(rel_root, d)) and not os.path.islink(os.path.join(root, d))
        )
        for name in sorted(names):
            relative = _join(rel_root, name)
            full = Path(root) / name
            if _ignored(relative) or full.is_symlink() or not full.is_file():
                continue
            size = full.stat().st_size
            if size > MAX_FILE_BYTES:
                raise InvalidSiteDirectory(
                    f"{API} Pages: {relative} in the {where} is {size} bytes; Pages serves files up to 25 MiB. "
                    f"Move it to object storage (R2) and link to it"
                )
            files[relative] = SiteFile(full, relative, media_type(relative), size, hash_file(full))
    if not files:
        raise InvalidSiteDirectory(
            f"{API} Pages: the {where} holds no files to deploy; check the app's build command and output folder"
        )
    if len(files) > max_files:
        raise InvalidSiteDirectory(
            f"{API} Pages: the {where} holds {len(files)} files; a deployment may hold at most {max_files}"
        )
    return files


def _join(root: str, name: str) -> str:
    return name if root in (".", "") else f"{root.replace(os.sep, '/')}/{name}"


def manifest_of(files: Mapping[str, SiteFile]) -> dict[str, str]:
    """The deployment manifest: `/<name>` -> hash."""
    return {f"/{name}": item.hash for name, item in files.items()}


def plan_buckets(missing: list[SiteFile]) -> list[list[SiteFile]]:
    """Wrangler's upload batching: largest first, spread over buckets of at most 40 MiB / 2,000 files each."""
    buckets: list[tuple[list[SiteFile], int]] = [([], BUCKET_BYTES) for _ in range(FIRST_BUCKETS)]
    for offset, item in enumerate(sorted(missing, key=lambda f: f.size, reverse=True)):
        for i in range(len(buckets)):
            index = (i + offset) % len(buckets)
            members, room = buckets[index]
            if room >= item.size and len(members) < BUCKET_FILES:
                members.append(item)
                buckets[index] = (members, room - item.size)
                break
        else:
            buckets.append(([item], BUCKET_BYTES - item.size))
    return [members for members, _ in buckets if members]


def token_claims(jwt: str) -> dict:
    """The payload of an upload JWT, read without verifying it (as Wrangler does); {} when unreadable."""
    try:
        payload = jwt.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


class UploadSession:
    """An upload JWT for one project, replaced when it expires, and the asset calls made with it."""

    def __init__(self, cloudflare: CloudflareClient, account_id: str, project_name: str) -> None:
        self._cloudflare = cloudflare
        self._account_id = account_id
        self._project_name = project_name
        self._jwt = ""
        self.tokens_fetched = 0
        self.refresh()

    @property
    def max_files(self) -> int:
        """The file count the token allows (`max_file_count_allowed`, default 20,000)."""
        value = token_claims(self._jwt).get("max_file_count_allowed")
        return int(value) if isinstance(value, (int, float)) else DEFAULT_MAX_FILES

    def refresh(self) -> None:
        """Fetch a new upload token."""
        self._jwt = self._cloudflare.get_upload_token(self._account_id, self._project_name)
        self.tokens_fetched += 1

    def _expired(self) -> bool:
        exp = token_claims(self._jwt).get("exp")
        return isinstance(exp, (int, float)) and exp <= time.time()

    def call(self, action: Callable[[AssetsClient], T]) -> T:
        """Run one asset call, replacing the token when it has expired (before or as Cloudflare answers)."""
        attempts = self._cloudflare.timing.max_attempts
        for attempt in range(1, attempts + 1):
            if self._expired():
                self.refresh()
            with self._cloudflare.assets(self._jwt) as assets:
                try:
                    return action(assets)
                except Unauthorized:
                    if attempt == attempts:
                        raise
                    log.info("Pages upload token refused (expired); fetching a new one")
                    self.refresh()
        raise AssertionError("unreachable")


def upload_site(
    cloudflare: CloudflareClient, account_id: str, project_name: str, directory: Path, *, label: str = ""
) -> dict[str, str]:
    """Upload the files of `directory` that the account lacks; return the deployment manifest."""
    session = UploadSession(cloudflare, account_id, project_name)
    files = collect_files(directory, max_files=session.max_files, label=label)
    hashes = [item.hash for item in files.values()]
    missing = set(session.call(lambda assets: assets.check_missing(hashes)))
    todo = [item for item in files.values() if item.hash in missing]
    for bucket in plan_buckets(todo):
        payload = [{"key": item.hash, "value": base64.b64encode(item.path.read_bytes()).decode("ascii"),
                    "metadata": {"contentType": item.content_type}, "base64": True} for item in bucket]
        session.call(lambda assets, payload=payload: assets.upload(payload))
    try:
        session.call(lambda assets: assets.upsert_hashes(hashes))
    except ProviderError as exc:
        # Wrangler only warns here too: the files are uploaded; the next deployment may re-upload some.
        log.warning("Pages: upserting asset hashes failed (%s); the deployment is unaffected", exc)
    log.info("Pages: %d file(s), %d uploaded, %d already present", len(files), len(todo), len(files) - len(todo))
    return manifest_of(files)


def special_files(directory: Path) -> dict[str, bytes]:
    """`_headers` / `_redirects` at the top of the site, sent with the deployment rather than as assets."""
    return {name: (directory / name).read_bytes() for name in SPECIAL_FILES if (directory / name).is_file()}
