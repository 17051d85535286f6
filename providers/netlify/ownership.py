"""Which Netlify sites this stack made, and the error when a name it wants belongs to someone else (DESIGN §5).

A Netlify site stores no labels or description (`site` in netlify.swagger.yml), but it holds environment
variables. Every site this stack makes gets the site variable ``STAGECRAFT_OWNER=<project>/<stack>`` right after
it is created; a same-named site that carries it is ours and is adopted, one that does not is left alone.
"""

from __future__ import annotations

from .._http import Claim
from .client import API

OWNER_ENV = "STAGECRAFT_OWNER"
"""Site environment variable naming the stack that owns the site."""
OWNER_PATTERN = r"[A-Za-z0-9._-]+/[A-Za-z0-9._-]+"
OWNER_HINT = 'must be "<project>/<stack>", e.g. "stagecraft/beta"'


def site_claim(name: str, owner: str) -> Claim:
    """What a site create is about, with the way out when the name is taken."""
    return Claim(
        api=API, kind="site", name=name, owner=owner,
        resolve=(f"If nothing uses that site, delete it (Netlify: Site configuration > Delete this site, or "
                 f"netlify sites:delete <site id>); otherwise set another name prefix with pulumi config set "
                 f"--path 'stagecraft:netlify.siteNamePrefix' <prefix>."),
    )
