"""Platforms whose usage `stagecraft usage` does not read, and why (said in the output instead of a number)."""

from __future__ import annotations

from .model import NO_USAGE_API, NOT_READ

UNREAD: dict[str, tuple[str, str]] = {
    "netlify": (NO_USAGE_API, "Netlify's published API (netlify/open-api swagger.yml, in shared/reference/apis) has no "
                              "usage, credits or bandwidth endpoint; read them in the Netlify UI (Team > Usage)"),
    "render": (NOT_READ, "Render's API has per-service metrics (/metrics/bandwidth), which stagecraft usage does not "
                         "read yet, and no endpoint for free instance hours; read both in the Render dashboard"),
    "cloudflare": (NOT_READ, "no Cloudflare usage API (GraphQL Analytics) spec is in this project's vendor "
                             "references to build and test a client against"),
    "vercel": (NOT_READ, "no Vercel API spec is in this project's vendor references to build and test a "
                         "client against"),
}
