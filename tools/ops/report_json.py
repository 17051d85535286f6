"""Writes the comparison document as `environment_comparison.json`.

Its schema is docs/schemas/environment_comparison.v1.schema.json, explained in docs/operations.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

from .files import write_atomically

FILE_NAME = "environment_comparison.json"
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "schemas" / "environment_comparison.v1.schema.json"


def render_json(document: Mapping[str, Any]) -> str:
    """The document as indented JSON text."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_json(document: Mapping[str, Any], folder: Path) -> Path:
    """Write the document into `folder`; returns the file's path."""
    path = folder / FILE_NAME
    write_atomically(path, render_json(document))
    return path
