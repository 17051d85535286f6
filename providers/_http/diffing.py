"""Field-by-field ``diff`` shared by every dynamic resource."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Optional

from pulumi.dynamic import DiffResult

from .inputs import contains_unknown


def normalise(value: Any) -> Any:
    """Canonical form for comparison: tuples as lists, whole floats as ints, "" as None."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value or None
    if isinstance(value, Mapping):
        return {str(k): normalise(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalise(v) for v in value]
    return value


def differs(old: Any, new: Any) -> bool:
    """True when ``new`` is unknown or not equal to ``old`` after normalisation."""
    if contains_unknown(new):
        return True
    return normalise(old) != normalise(new)


def changed_fields(olds: Mapping[str, Any], news: Mapping[str, Any], fields: Iterable[str]) -> list[str]:
    """The names in ``fields`` whose value differs between ``olds`` and ``news``."""
    return [f for f in fields if differs(olds.get(f), news.get(f))]


def diff_props(
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    *,
    fields: Iterable[str],
    immutable: Iterable[str],
    unique_name: bool,
    replace_if: Optional[Mapping[str, Callable[[Any, Any], bool]]] = None,
    name_field: str = "name",
) -> DiffResult:
    """Compare each input field; changes to ``immutable`` fields (or where ``replace_if`` says so) replace.

    ``unique_name`` says the vendor refuses two resources with one name. A replacement that keeps the name must
    then delete the old one first; one that changes ``name_field`` creates the new one first, so whatever refers
    to the old one keeps working until it is switched over (DESIGN §5).
    """
    changed = changed_fields(olds, news, fields)
    fixed = set(immutable)
    extra = replace_if or {}
    replaces = [
        f for f in changed
        if f in fixed or (f in extra and (contains_unknown(news.get(f)) or extra[f](olds.get(f), news.get(f))))
    ]
    return DiffResult(
        changes=bool(changed),
        replaces=replaces,
        stables=[f for f in fixed if f not in changed],
        delete_before_replace=bool(replaces) and unique_name and name_field not in changed,
    )
