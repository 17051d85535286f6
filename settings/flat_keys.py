"""Keys set without `--path` (`pulumi config set stagecraft:backend.image x`): Pulumi stores a key literally named
`backend.image`, which nothing reads, while `stagecraft:backend` stays without its image.

Each one is a problem whose fix moves the value to where it was meant to go; meanwhile its value is laid into the
tree, so the rest of the settings are judged as they will be once the fix has run.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Collection, Mapping
from typing import Any

from settings.fixes import NAMESPACE, move_command, rm_command
from settings.problems import Problem

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_MISSING = object()


def is_flat(name: str) -> bool:
    """Whether a top-level key name holds a path (`backend.image`, `frontend.apps[0].name`)."""
    return "." in name or "[" in name


def parse_path(text: str) -> tuple[Any, ...] | None:
    """`frontend.apps[0].name` -> ('frontend', 'apps', 0, 'name'); None for what `--path` would not read alike."""
    parts: list[Any] = []
    position = 0
    for match in _PART.finditer(text):
        gap = text[position:match.start()]
        if gap not in ("", ".") or (gap == "." and not parts):
            return None
        parts.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
        position = match.end()
    return tuple(parts) if parts and position == len(text) and isinstance(parts[0], str) else None


def _get(tree: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        if isinstance(part, int) and isinstance(tree, list) and part < len(tree):
            tree = tree[part]
        elif isinstance(part, str) and isinstance(tree, Mapping) and part in tree:
            tree = tree[part]
        else:
            return _MISSING
    return tree


def _set(tree: dict[str, Any], loc: tuple[Any, ...], value: Any) -> bool:
    """Lay `value` at `loc`, making the objects on the way; False where the tree holds something else there."""
    node: Any = tree
    for part, following in zip(loc, loc[1:]):
        fresh: Any = [] if isinstance(following, int) else {}
        if isinstance(part, str) and isinstance(node, dict):
            node = node.setdefault(part, fresh)
        elif isinstance(part, int) and isinstance(node, list) and part <= len(node):
            if part == len(node):
                node.append(fresh)
            node = node[part]
        else:
            return False
    last = loc[-1]
    if isinstance(last, str) and isinstance(node, dict):
        node[last] = value
        return True
    if isinstance(last, int) and isinstance(node, list) and last <= len(node):
        node[last:last + 1] = [value]
        return True
    return False


def lift_flat_keys(tree: Mapping[str, Any], stack: str, secret_names: Collection[str] = ()) -> tuple[dict, list[Problem]]:
    """The tree with every flat key's value laid where it was meant to go, and one problem per flat key.

    `secret_names` are the flat names (without the namespace) whose value is a Pulumi secret: their fix reads the
    value back inside the command rather than printing it."""
    lifted: dict[str, Any] = copy.deepcopy({name: value for name, value in tree.items() if not is_flat(name)})
    problems = []
    for name, value in tree.items():
        if not is_flat(name):
            continue
        key = f"{NAMESPACE}:{name}"
        loc = parse_path(name)
        target_set = loc is not None and _get(lifted, loc) is not _MISSING
        reason = (f"was set without `--path`, so Pulumi stored a key literally named {name!r}, which the program never "
                  f"reads")
        if loc is None:
            problems.append(Problem(key, reason, rm_command(key, stack, path=False)))
        elif target_set:
            problems.append(Problem(key, reason + f"; `{key}` is also set with `--path`, and that value is the one used",
                                    rm_command(key, stack, path=False)))
        else:
            _set(lifted, loc, value)
            problems.append(Problem(key, reason + f"; the fix moves it to `{key}` inside `{NAMESPACE}:{loc[0]}`",
                                    move_command(key, key, stack, value=value, secret=name in secret_names,
                                                 source_is_path=False)))
    return lifted, problems


def place(tree: dict[str, Any], name: str, value: Any) -> bool:
    """Lay `value` at the path `name` (`redis`, `backend.image`) of the tree, unless something is set there already;
    whether it was laid. A key the fix will move is judged where it goes."""
    loc = parse_path(name)
    if loc is None or _get(tree, loc) is not _MISSING:
        return False
    return _set(tree, loc, copy.deepcopy(value))
