"""Ports that deploy but break the product on this machine: the local backend on a port an app's dev server uses,
or apps sent to a port the backend does not listen on.

Both would start, and whichever started second would fail to bind (or, with SO_REUSEPORT, the browser would reach
the wrong one). The problem is reported at the key the user set: the backend's port (moved together with its
`localUrl`, so the apps follow it), or the app's `devPort`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic_core import InitErrorDetails

from settings.addresses import url_port, url_problem, with_port
from settings.fixes import key_of, set_command, value_word
from settings.located import located

if TYPE_CHECKING:
    from settings.models import StackSettings


def _free_port(start: int, taken: set[int]) -> int:
    return next(port for port in range(start + 1, 65536) if port not in taken)


def backend_port_problems(settings: "StackSettings") -> list[InitErrorDetails]:
    """The local backend's port against every deployed app's dev server port."""
    backend, frontend = settings.backend, settings.frontend
    if backend.platform != "local":
        return []
    problems = []
    valid_url = url_problem(backend.local_url, ("http", "https")) is None  # else its own problem is reported
    if valid_url and url_port(backend.local_url) != backend.port:
        problems.append(located(("backend", "localUrl"), backend.local_url, f"reaches port {url_port(backend.local_url)}, "
                                f"but the backend listens on port {backend.port} ({key_of(('backend', 'port'))}); the "
                                f"apps would call a port nothing answers on",
                                fix_value=value_word(with_port(backend.local_url, backend.port))))
    taken = {app.dev_port for app in frontend.apps} | {backend.port}
    for index, app in enumerate(frontend.apps):
        if app.name in frontend.exclude or app.dev_port != backend.port:
            continue
        free = _free_port(backend.port, taken)
        taken.add(free)
        if "port" in backend.model_fields_set or "apps" not in frontend.model_fields_set:
            command = set_command(key_of(("backend", "port")), str(free), "{stack}")
            if valid_url:
                command += " && " + set_command(key_of(("backend", "localUrl")),
                                                value_word(with_port(backend.local_url, free)), "{stack}")
            problems.append(located(("backend", "port"), backend.port, f"is also the dev server port of app "
                                    f"{app.name!r} ({key_of(('frontend', 'apps', index, 'devPort'))}); the backend "
                                    f"and that app cannot both listen on it", fix_command=command))
        else:
            problems.append(located(("frontend", "apps", index, "devPort"), app.dev_port, f"is also the local "
                                    f"backend's port ({key_of(('backend', 'port'))}); the app's dev server and the "
                                    f"backend cannot both listen on it", fix_value=str(free)))
        break  # one app can clash with the backend: devPorts differ between apps
    return problems
