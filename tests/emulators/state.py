"""In-memory account state for an emulator: collections of records, readiness counters, id makers.

Records are stored in the emulator's internal shape; each emulator renders them to the API's shape.
All access happens under the emulator's lock, so nothing here locks on its own.
"""

from __future__ import annotations

import copy
import datetime as _dt
import random
import string
import uuid
from typing import Any, Callable, Iterator

_ADJECTIVES = (
    "aged", "bold", "calm", "crisp", "dawn", "damp", "fancy", "frosty", "gentle", "green", "hidden", "icy",
    "jolly", "late", "lively", "misty", "noisy", "odd", "plain", "proud", "quiet", "raspy", "round", "shiny",
    "silent", "small", "snowy", "spring", "steep", "still", "tiny", "twilight", "wandering", "wild", "young",
)
_NOUNS = (
    "band", "bird", "breeze", "brook", "bush", "cake", "cell", "cherry", "cloud", "darkness", "dew", "dream",
    "field", "fire", "flower", "fog", "forest", "frog", "glade", "grass", "hat", "haze", "hill", "lake", "leaf",
    "meadow", "moon", "morning", "mountain", "paper", "pine", "pond", "rain", "river", "salad", "sea", "shadow",
    "silence", "sky", "smoke", "snow", "sound", "star", "sun", "sunset", "surf", "thunder", "tree", "voice",
    "water", "wave", "wind",
)


def now_rfc3339() -> str:
    """The current UTC time, RFC 3339 with second precision (`2026-01-02T03:04:05Z`)."""
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def unix_now() -> int:
    """The current Unix time in whole seconds."""
    return int(_dt.datetime.now(_dt.timezone.utc).timestamp())


class IdMaker:
    """Ids, names and secrets from one seeded random source, so a seeded emulator is reproducible."""

    def __init__(self, seed: int | None = None):
        self._rng = random.Random(seed)

    def uuid(self) -> str:
        """A random version-4 UUID string."""
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def words(self, digits: int = 6) -> str:
        """`adjective-noun-123456`, the shape of Neon and Upstash generated names."""
        number = self._rng.randrange(10 ** (digits - 1), 10**digits)
        return f"{self._rng.choice(_ADJECTIVES)}-{self._rng.choice(_NOUNS)}-{number}"

    def secret(self, length: int = 32, alphabet: str = string.ascii_letters + string.digits) -> str:
        """A random secret string (passwords, tokens)."""
        return "".join(self._rng.choice(alphabet) for _ in range(length))

    def integer(self, low: int, high: int) -> int:
        """A random integer in [low, high]."""
        return self._rng.randint(low, high)


class Readiness:
    """Counts reads until a resource reports ready.

    A resource (or a group of resources that become ready together, like a Neon branch and the operation
    creating it) starts with `polls` reads to go; each read consumes one; it is ready when none are left.
    """

    def __init__(self) -> None:
        self._remaining: dict[str, int] = {}

    def start(self, key: str, polls: int) -> None:
        """Make `key` report not-ready for the next `polls` reads."""
        if polls > 0:
            self._remaining[key] = polls
        else:
            self._remaining.pop(key, None)

    def is_ready(self, key: str) -> bool:
        """Whether `key` is ready now (no read consumed)."""
        return self._remaining.get(key, 0) == 0

    def read(self, key: str) -> bool:
        """Consume one read of `key`; return whether it was ready at this read."""
        left = self._remaining.get(key, 0)
        if left == 0:
            return True
        if left == 1:
            del self._remaining[key]
        else:
            self._remaining[key] = left - 1
        return False

    def forget(self, key: str) -> None:
        """Drop the counter for a deleted resource."""
        self._remaining.pop(key, None)


class Store:
    """Named collections of records keyed by id, in insertion order."""

    def __init__(self, collections: tuple[str, ...]):
        self._data: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in collections}

    def collection(self, name: str) -> dict[str, dict[str, Any]]:
        """The live mapping id -> record for `name`."""
        try:
            return self._data[name]
        except KeyError:
            known = ", ".join(self._data)
            raise KeyError(f"unknown collection {name!r}; this emulator holds: {known}") from None

    def names(self) -> tuple[str, ...]:
        """The collection names, in declaration order."""
        return tuple(self._data)

    def put(self, name: str, key: str, record: dict[str, Any]) -> dict[str, Any]:
        """Insert or replace a record."""
        self.collection(name)[key] = record
        return record

    def get(self, name: str, key: str) -> dict[str, Any] | None:
        """The record, or None."""
        return self.collection(name).get(key)

    def pop(self, name: str, key: str) -> dict[str, Any] | None:
        """Remove and return the record, or None."""
        return self.collection(name).pop(key, None)

    def values(self, name: str) -> list[dict[str, Any]]:
        """All records of a collection (a new list, live records)."""
        return list(self.collection(name).values())

    def where(self, name: str, predicate: Callable[[dict[str, Any]], bool]) -> Iterator[dict[str, Any]]:
        """Records of a collection matching `predicate`."""
        return (r for r in self.values(name) if predicate(r))

    def counts(self) -> dict[str, int]:
        """Record count per collection."""
        return {name: len(items) for name, items in self._data.items()}


def clone(value: Any) -> Any:
    """A deep copy, so callers never hold live records."""
    return copy.deepcopy(value)
