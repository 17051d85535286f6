"""How Cloudflare Pages answers a GET for a static (Direct Upload, no Functions) deployment.

Rules, from Cloudflare's "Serving Pages" page (cloudflare/cloudflare-docs
src/content/docs/pages/configuration/serving-pages.mdx at f328dca8):
- Route matching: an HTML file whose path matches the route is served; `/contact.html` is redirected to
  `/contact` and `/about/index.html` to `/about/` (extension-less counterparts). So `/about` serves
  `/about.html`, `/about/` serves `/about/index.html`, and `/about` where only `/about/index.html` exists
  redirects to `/about/`. The redirect status is not stated there; 308 is used (UNCONFIRMED).
- Not Found: the closest `404.html`, looking up the directory tree and ending at `/404.html`, served with 404.
- SPA rendering: without a top-level `404.html`, every unmatched path is answered with the root `/index.html`
  (status 200). The same page notes preview URLs carry `X-Robots-Tag: noindex`, and lists the headers always
  added (`Access-Control-Allow-Origin: *`, `Etag`, `Content-Type`, `X-Content-Type-Options: nosniff`,
  `Referrer-Policy: strict-origin-when-cross-origin`).
`_headers`, `_redirects` and Pages Functions are not applied (the deployments stagecraft makes have none).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import unquote

REDIRECT_STATUS = 308


@dataclass(frozen=True)
class Resolution:
    """What to answer: an asset (`path`, with `status`), or a redirect to `location`, or nothing (404)."""

    status: int
    path: str | None = None
    location: str | None = None


def resolve(manifest: Mapping[str, str], request_path: str) -> Resolution:
    """Resolve a request path against a deployment's manifest (keys are `/`-rooted file paths)."""
    path = posixpath.normpath(unquote(request_path or "/"))
    if request_path.endswith("/") and path != "/":
        path += "/"
    if path.endswith("/index.html"):
        return Resolution(REDIRECT_STATUS, location=path[: -len("index.html")])
    if path.endswith(".html") and path in manifest:
        return Resolution(REDIRECT_STATUS, location=path[: -len(".html")])
    if path.endswith("/"):
        index = path + "index.html"
        if index in manifest:
            return Resolution(200, path=index)
    elif path in manifest:
        return Resolution(200, path=path)
    elif path + ".html" in manifest:
        return Resolution(200, path=path + ".html")
    elif path + "/index.html" in manifest:
        return Resolution(REDIRECT_STATUS, location=path + "/")
    return _not_found(manifest, path)


def _not_found(manifest: Mapping[str, str], path: str) -> Resolution:
    if "/404.html" not in manifest:
        if "/index.html" in manifest:
            return Resolution(200, path="/index.html")
        return Resolution(404)
    directory = path if path.endswith("/") else posixpath.dirname(path) + "/"
    while True:
        candidate = posixpath.join(directory, "404.html")
        if candidate in manifest:
            return Resolution(404, path=candidate)
        if directory == "/":
            return Resolution(404)
        directory = posixpath.dirname(directory.rstrip("/")) + "/"
        directory = directory.replace("//", "/")


def site_headers(content_type: str, etag: str, *, preview: bool) -> list[tuple[str, str]]:
    """The headers Pages adds to an asset response (serving-pages.mdx, "Headers")."""
    headers = [
        ("Content-Type", content_type),
        ("Etag", f'"{etag}"'),
        ("Access-Control-Allow-Origin", "*"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Content-Type-Options", "nosniff"),
        ("Cache-Control", "public, max-age=0, must-revalidate"),
    ]
    if preview:
        headers.append(("X-Robots-Tag", "noindex"))
    return headers


def branch_alias(branch: str) -> str:
    """The alias label of a branch: lowercased, every non-alphanumeric character a hyphen.

    cloudflare-docs src/content/docs/pages/configuration/preview-deployments.mdx ("Preview aliases"): "Branch
    name aliases are lowercased and non-alphanumeric characters are replaced with a hyphen — for example, the
    `fix/api` branch creates the `fix-api.<project>.pages.dev` alias."
    """
    return "".join(c if c.isascii() and c.isalnum() else "-" for c in branch.lower())
