"""Who approved the run: ``GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals`` (platform-apis.md §10,
"Approvals over REST": entries with ``environments``, ``state`` approved/rejected/pending, ``user``, ``comment``).

The token says who started the run (``actor``); the approvals say who let the ``production`` job through. Both come
from GitHub, so neither can be typed in on a laptop.
"""

from __future__ import annotations

from typing import Any, Callable, List, Mapping, Optional, Tuple

from .fetch import FetchError, get_json

API_VERSION = "2022-11-28"


def approvers_of(run_id: str, requirements, api_token: str,
                 fetch: Optional[Callable[..., Any]] = None) -> Tuple[Tuple[str, ...], str]:
    """(logins that approved the environment for this run, "") or ((), why they could not be read)."""
    url = f"{requirements.api_url.rstrip('/')}/repos/{requirements.repository}/actions/runs/{run_id}/approvals"
    headers = {"Authorization": f"Bearer {api_token}", "Accept": "application/vnd.github+json",
               "X-GitHub-Api-Version": API_VERSION}
    try:
        entries = (fetch or get_json)(url, headers)
    except FetchError as exc:
        return (), f"cannot read the run's approvals: {exc}"
    if not isinstance(entries, list):
        return (), f"GET {url} did not answer a list of approvals"
    return tuple(sorted(set(_approved_logins(entries, requirements.environment)))), ""


def _approved_logins(entries: List[Any], environment: str) -> List[str]:
    logins = []
    for entry in entries:
        if not isinstance(entry, Mapping) or entry.get("state") != "approved":
            continue
        names = [e.get("name") for e in entry.get("environments") or [] if isinstance(e, Mapping)]
        user = entry.get("user") if isinstance(entry.get("user"), Mapping) else {}
        if environment in names and user.get("login"):
            logins.append(str(user["login"]))
    return logins
