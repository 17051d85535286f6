"""Renders docs/configuration.md from the settings models, so the reference never drifts from the code.

`python -m tools.config_reference > docs/configuration.md`; a unit test checks the file is current.
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from settings.foundation import FoundationSettings
from settings.models import StackSettings

_SKIPPED = {"project", "stack"}  # given by the engine, not config
_DERIVED = {"environment": "from the stack name"}


def _type_name(annotation: Any) -> str:
    text = str(annotation).replace("typing.", "").replace("settings.models.", "").replace("settings.inventory.", "")
    return text.replace("<class '", "").replace("'>", "").replace("|", "\\|")


def _model_of(annotation: Any) -> type[BaseModel] | None:
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _rows(model: type[BaseModel], prefix: str) -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        if not prefix and name in _SKIPPED:
            continue
        key = f"{prefix}.{field.alias or name}" if prefix else f"stagecraft:{field.alias or name}"
        nested = _model_of(field.annotation)
        if nested is not None and nested.__name__ != "FrontendApp":
            rows.append(f"| `{key}` | object | {'required' if field.is_required() else 'optional'} | "
                        f"{field.description or nested.__doc__.splitlines()[0]} |")
            rows.extend(_rows(nested, f"{key}.<name>" if typing.get_origin(field.annotation) is dict else key))
            continue
        if not prefix and name in _DERIVED:
            default = _DERIVED[name]
        elif field.is_required():
            default = "required"
        elif field.default is PydanticUndefined:
            default = "computed"
        else:
            default = f"`{field.default!r}`" if not isinstance(field.default, tuple) or len(field.default) < 4 \
                else "the shared inventory"
        rows.append(f"| `{key}` | {_type_name(field.annotation)} | {default} | {field.description or ''} |")
    return rows


def render() -> str:
    """The whole reference page."""
    lines = [
        "# Configuration reference",
        "",
        "Generated from `settings/models.py` and `settings/foundation.py` by `python -m tools.config_reference`; do not edit by hand.",
        "Set a value with `pulumi config set --path '<key>' <value> -s <stack>` (objects nest with dots).",
        "",
        "| key | type | default | meaning |",
        "|---|---|---|---|",
        *_rows(StackSettings, ""),
        "",
        "## The foundation stack",
        "",
        "`Pulumi.foundation.yaml` (or any stack whose config sets `stagecraft:kind: foundation`) takes these keys "
        "instead (DESIGN §9).",
        "",
        "| key | type | default | meaning |",
        "|---|---|---|---|",
        *_rows(FoundationSettings, ""),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
