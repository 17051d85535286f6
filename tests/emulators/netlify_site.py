"""How Netlify answers a GET for a deploy of plain static files (no redirects file, no Functions).

Rules, from Netlify's docs:
- A request path is answered by the file at that path, else by `<path>.html` or `<path>/index.html` (pretty
  URLs: docs.netlify.com/routing/redirects/redirect-options, "Trailing slash": "/about" and "/about/" both serve
  "/about/index.html" or "/about.html"). A path ending in `/` looks for its `index.html` first.
- A path nothing answers gets the deploy's `/404.html` with status 404 when there is one ("Custom 404 page
  handling: If you add a 404.html page to your site, it will be picked up and displayed automatically for any
  failed paths"), else Netlify's own "Not Found" page, 404.
- Hosts: `<site>.netlify.app` serves the site's published deploy; `<deploy id>--<site>.netlify.app` serves that
  one deploy (the deploy's `deploy_ssl_url` in the API; docs.netlify.com/site-deploys/overview, "Deploy
  permalinks"); `<alias>--<site>.netlify.app` serves the newest ready deploy made with that alias.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import unquote

NETLIFY_APP = "netlify.app"
ALIAS_MAX = 37
"""netlify/cli `deploy --alias` help: at most 37 characters (the host label keeps room for `--<site>`)."""
NOT_FOUND_PAGE = b"Not Found - Request ID: emulated"


@dataclass(frozen=True)
class SiteHost:
    """What a `*.netlify.app` host names: a site, and maybe one of its deploys."""

    site_name: str
    deploy_id: str | None


def alias_label(alias: str) -> str:
    """The host label of a deploy alias: lower-case, anything but letters, digits and hyphens as a hyphen."""
    return "".join(c if (c.isascii() and c.isalnum()) or c == "-" else "-" for c in alias.lower())


def parse_host(host: str) -> SiteHost | None:
    """`<site>.netlify.app` or `<deploy id>--<site>.netlify.app`; None for any other host."""
    suffix = "." + NETLIFY_APP
    if not host.endswith(suffix):
        return None
    label = host[: -len(suffix)]
    if not label or "." in label:
        return None
    deploy_id, separator, site = label.partition("--")
    return SiteHost(site, deploy_id) if separator and site else SiteHost(label, None)


def resolve(files: Mapping[str, str], request_path: str) -> tuple[int, str | None]:
    """(status, file path) answering `request_path` from a deploy's `/path -> sha1` manifest; None: no file."""
    path = posixpath.normpath(unquote(request_path or "/"))
    candidates = [path + "/index.html" if path != "/" else "/index.html"] if request_path.endswith("/") else []
    candidates += [path, path + ".html", path.rstrip("/") + "/index.html"]
    for candidate in candidates:
        if candidate in files:
            return 200, candidate
    return (404, "/404.html") if "/404.html" in files else (404, None)
