"""Fix commands that work when pasted into a shell, as the Pulumi 3.79 CLI takes them.

What the CLI does, checked on 3.79 (tests/unit/test_fixes.py and tests/engine/test_config_mistakes.py run them):
- `pulumi config set --path 'ns:a.b' v` writes `b` inside the object `ns:a`; `--path 'ns:'` is refused
  ("empty config key path"), so a fix always names a key below the namespace;
- `pulumi config set 'ns:a.b' v` (no `--path`) stores a key literally named `a.b`, which `pulumi config rm --path
  'ns:a.b'` does not remove (it exits 0 and leaves it): only `pulumi config rm 'ns:a.b'` does;
- with `--path`, numbers and true/false are stored as numbers and booleans;
- `pulumi config rm --path 'ns:a.list[0]'` removes the item and shifts the rest down.
Values are shell-quoted; a placeholder the user must fill in is quoted too (`'<image>'`), so a paste never turns it
into a redirection.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

NAMESPACE = "stagecraft"


def config_path(loc: Sequence[Any]) -> str:
    """`('frontend', 'apps', 0, 'devPort')` -> `frontend.apps[0].devPort`, the syntax of `pulumi config --path`."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def key_of(loc: Sequence[Any], namespace: str = NAMESPACE) -> str:
    """The full key of a location in the namespace's object tree."""
    return f"{namespace}:{config_path(loc)}"


def quoted_key(key: str) -> str:
    """A key as a shell word: always single-quoted, as the docs and every fix print it."""
    return "'" + key.replace("'", "'\"'\"'") + "'"


def value_word(value: Any) -> str:
    """A config value as one shell word (`--path` turns 8000 and true back into a number and a boolean)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return shlex.quote(str(value))


def placeholder(what: str) -> str:
    """A value only the user knows, quoted so that pasting the command cannot redirect anything."""
    return shlex.quote(f"<{what}>")


def set_command(key: str, value: str, stack: str, *, path: bool = True, secret: bool = False) -> str:
    """`pulumi config set` of `key` to `value` (already a shell word)."""
    flags = " --secret" * secret + " --path" * path
    return f"pulumi config set{flags} {quoted_key(key)} {value} -s {stack}"


def rm_command(key: str, stack: str, *, path: bool = True) -> str:
    """`pulumi config rm` of `key`; `path=False` for a key whose name itself holds dots (set without `--path`)."""
    return f"pulumi config rm{' --path' * path} {quoted_key(key)} -s {stack}"


def get_expression(key: str, stack: str, *, path: bool) -> str:
    """A shell expression that reads a key's current value, so a fix can move or re-secret it without printing it."""
    return f"\"$(pulumi config get{' --path' * path} {quoted_key(key)} -s {stack})\""


def leaf_settings(key: str, value: Any) -> list[tuple[str, Any]]:
    """(path key, scalar) for every leaf of an object/list value under `key` (what `set --path` can write)."""
    if isinstance(value, Mapping):
        leaves = []
        for name, item in value.items():
            leaves += leaf_settings(f"{key}.{name}", item)
        return leaves
    if isinstance(value, list):
        leaves = []
        for index, item in enumerate(value):
            leaves += leaf_settings(f"{key}[{index}]", item)
        return leaves
    return [(key, value)]


def move_command(source: str, target: str, stack: str, *, value: Any, secret: bool, source_is_path: bool) -> str:
    """Commands that write `source`'s value at the path `target`, then remove `source`.

    A plain value is written leaf by leaf from what the program received; a secret is read back with
    `pulumi config get` inside the command, so the fix never prints it."""
    if secret or not isinstance(value, (Mapping, list)):
        writes = [set_command(target, get_expression(source, stack, path=source_is_path), stack, secret=secret)]
    else:
        writes = [set_command(leaf, value_word(item), stack) for leaf, item in leaf_settings(target, value)
                  if item is not None]
    return " && ".join([*writes, rm_command(source, stack, path=source_is_path)])


def resecret_command(key: str, stack: str, *, path: bool) -> str:
    """Store a plain value again as a secret, reading it back inside the command (it is never printed)."""
    return set_command(key, get_expression(key, stack, path=path), stack, path=path, secret=True)
