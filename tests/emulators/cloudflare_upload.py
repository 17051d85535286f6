"""Pieces of Cloudflare Pages Direct Upload the emulator needs: upload JWTs and the multipart deployment form.

Upload tokens. `GET .../upload-token` answers `{jwt}`; the asset endpoints take it as `Authorization: Bearer`.
Wrangler decodes the payload without verifying it (packages/deploy-helpers/src/deploy/helpers/jwt.ts:
`decodeJwtPayload`, `isJwtExpired` compares `exp` with the clock) and reads `max_file_count_allowed`
(packages/wrangler/src/pages/upload.ts `maxFileCountAllowedFromClaims`, default 20,000), so the token must be a
real three-part JWT with those claims. The signature here is HS256 over an emulator secret.

Deployment form. `POST .../deployments` is `multipart/form-data` (the published schema's requestBody), with the
text fields `manifest`, `branch`, `commit_hash`, `commit_message`, `commit_dirty` and the files `_headers`,
`_redirects` (Wrangler packages/wrangler/src/api/pages/deploy.ts builds exactly these for a static site).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any, Mapping

MAX_FILE_COUNT = 20_000
"""Files per deployment on the free plan (cloudflare-docs pages/platform/limits.mdx, "Files")."""
MAX_FILE_BYTES = 25 * 1024 * 1024
"""Largest asset (limits.mdx, "File size": 25 MiB; Wrangler `MAX_ASSET_SIZE`)."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class UploadClaims:
    """What an upload token grants: uploads for one project of one account, until `exp`."""

    jti: str
    account_id: str
    project_name: str
    exp: float


class TokenMinter:
    """Issues and checks upload JWTs."""

    def __init__(self, secret: bytes):
        self._secret = secret

    def issue(self, claims: UploadClaims) -> str:
        """A signed JWT carrying `claims` plus `iat` and `max_file_count_allowed`."""
        header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        payload = _b64url(json.dumps({
            "jti": claims.jti, "account_id": claims.account_id, "project_name": claims.project_name,
            "iat": int(time.time()), "exp": int(claims.exp), "max_file_count_allowed": MAX_FILE_COUNT,
        }).encode())
        signature = _b64url(hmac.new(self._secret, f"{header}.{payload}".encode(), hashlib.sha256).digest())
        return f"{header}.{payload}.{signature}"

    def read(self, token: str) -> UploadClaims | None:
        """The claims of a token this minter signed, or None for anything else."""
        parts = token.split(".")
        if len(parts) != 3:
            return None
        expected = _b64url(hmac.new(self._secret, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(expected, parts[2]):
            return None
        try:
            payload = json.loads(_unb64url(parts[1]))
            return UploadClaims(str(payload["jti"]), str(payload["account_id"]), str(payload["project_name"]),
                                float(payload["exp"]))
        except (ValueError, KeyError, TypeError):
            return None


@dataclass(frozen=True)
class FormPart:
    """One part of a multipart form: its text, and the file name when it was sent as a file."""

    data: bytes
    filename: str | None

    @property
    def text(self) -> str:
        """The part decoded as UTF-8."""
        return self.data.decode("utf-8")


def parse_form(content_type: str, body: bytes) -> dict[str, FormPart]:
    """The parts of a `multipart/form-data` body by field name; raises ValueError when it is not one."""
    if not content_type.lower().startswith("multipart/form-data") or "boundary=" not in content_type:
        raise ValueError(f"Content-Type must be multipart/form-data with a boundary, got {content_type!r}")
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1") + body
    )
    if not message.is_multipart():
        raise ValueError("the body is not a multipart form")
    parts: dict[str, FormPart] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            raise ValueError("a form part has no name in its Content-Disposition")
        payload = part.get_payload(decode=True) or b""
        parts[str(name)] = FormPart(payload, part.get_filename())
    return parts


def parse_manifest(text: str) -> dict[str, str]:
    """The `manifest` field: a JSON object of `/`-rooted file paths to asset hashes (ValueError when not)."""
    try:
        manifest: Any = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"manifest is not valid JSON: {exc}") from None
    if not isinstance(manifest, Mapping) or not all(
        isinstance(k, str) and k.startswith("/") and isinstance(v, str) and v for k, v in manifest.items()
    ):
        raise ValueError('manifest must map "/path" to a hash string for every file')
    return dict(manifest)
