"""What emulated accounts hold, as the engine tests compare it before and after a stack's life."""

from __future__ import annotations

from typing import Any, Mapping


def ident(obj: Mapping[str, Any]) -> str:
    """How an object is told apart in a snapshot: its name (or Upstash's database_name, a variable's key), else id."""
    return str(obj.get("name") or obj.get("database_name") or obj.get("key") or obj.get("id"))


class AccountSnapshots:
    """For a set of emulated accounts: `emulators()` by API name and `COLLECTIONS` (API -> collections to compare)."""

    COLLECTIONS: Mapping[str, tuple[str, ...]] = {}
    baseline: dict[str, list[str]]

    def emulators(self) -> Mapping[str, Any]:
        """The emulators by API name."""
        raise NotImplementedError

    def snapshot(self) -> dict[str, list[str]]:
        """Names of what each account holds, per collection."""
        return {f"{api}.{c}": sorted(ident(o) for o in emu.objects(c))
                for api, emu in self.emulators().items() for c in self.COLLECTIONS[api]}

    def created(self) -> dict[str, list[str]]:
        """What the stack added on top of what the accounts held at the start (`baseline`)."""
        now = self.snapshot()
        return {k: [n for n in v if n not in self.baseline[k]] for k, v in now.items()}

    def writes(self) -> int:
        """Requests sent to the accounts that are not reads."""
        return sum(1 for emu in self.emulators().values() for method, _path, _status in emu.requests
                   if method not in ("GET", "HEAD"))
