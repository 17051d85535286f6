"""Hosts, URLs and image references as the product uses them: values that would deploy and then not work.

`localhost:8000` as a URL (no scheme: the browser takes it as a path), `http://` (no host), a host with a scheme
or a port in it, an image reference with spaces or upper case in its path: each is refused with what is allowed.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOSTNAME = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*\.?$")

# The image reference grammar of the container tools (distribution/reference): [domain[:port]/]path[:tag][@digest],
# path components lower case, tags of at most 128 word characters, dots and dashes.
_DOMAIN = rf"{_LABEL}(?:\.{_LABEL})*(?::[0-9]+)?"
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
IMAGE_REFERENCE = re.compile(
    rf"^(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}})?"
    r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$")
IMAGE_NAME_MAX = 255
"""The container tools refuse a repository name longer than 255 characters."""


def host_problem(value: str) -> str | None:
    """Why `value` is not a bare host name or IP address (no scheme, port, path or spaces), or None."""
    if "://" in value:
        return f"{value!r} is a URL; give the host alone (e.g. {urlsplit(value).hostname or 'localhost'!r})"
    try:
        ipaddress.ip_address(value.strip("[]"))
        return None
    except ValueError:
        pass
    if not HOSTNAME.match(value):
        return (f"{value!r} is not a host name or IP address (letters, digits, dashes and dots; no port, path or "
                f"spaces)")
    return None


def url_problem(value: str, schemes: tuple[str, ...]) -> str | None:
    """Why `value` is not a URL with one of `schemes` and a host, or None."""
    if any(ch.isspace() for ch in value):
        return f"{value!r} contains whitespace"
    parts = urlsplit(value)
    if parts.scheme not in schemes:
        example = f"{schemes[0]}://{value}" if "://" not in value else f"{schemes[0]}://localhost"
        return f"{value!r} does not start with {' or '.join(s + '://' for s in schemes)} (e.g. {example!r})"
    if not parts.hostname:
        return f"{value!r} has no host"
    try:
        parts.port
    except ValueError:
        return f"{value!r} has a port that is not a number from 0 to 65535"
    return host_problem(parts.hostname)


def url_port(value: str) -> int | None:
    """The port a valid http(s) URL reaches (its default when none is written)."""
    parts = urlsplit(value)
    return parts.port or {"http": 80, "https": 443}.get(parts.scheme)


def image_problem(value: str) -> str | None:
    """Why `value` is not an image reference the platforms can pull, or None."""
    if len(value) > IMAGE_NAME_MAX:
        return f"is {len(value)} characters; image references are at most {IMAGE_NAME_MAX}"
    if not IMAGE_REFERENCE.match(value):
        return (f"{value!r} is not an image reference: [registry/]path[:tag][@sha256:digest], the path in lower "
                f"case, no spaces (e.g. 'ghcr.io/acme/api:1.4.2')")
    return None


def with_port(value: str, port: int) -> str:
    """The http(s) URL with `port` in place of the one it has."""
    parts = urlsplit(value)
    host = f"[{parts.hostname}]" if parts.hostname and ":" in parts.hostname else parts.hostname
    return parts._replace(netloc=f"{host}:{port}").geturl()
