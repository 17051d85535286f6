"""`stagecraft:rollback`: the stack serves the image and frontend builds of an earlier update (DESIGN §9).

`stagecraft rollback -s <stack>` writes this key and runs `up`; the deploy from git that follows carries no such key, so
it deploys the current code again. While it is set, the backend runs `image` and every listed app serves the build
artifact `builds.<app>` (a content-addressed folder of `providers/build/`, checked here against its digest) instead of
a build of the current source.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from pydantic import BaseModel, Field

from settings.model_config import SETTINGS_MODEL

_MODEL = SETTINGS_MODEL
DIGEST = r"^[0-9a-f]{64}$"


class PinnedBuild(BaseModel):
    """One app's build of the earlier update."""

    model_config = _MODEL

    artifact_key: str = Field(pattern=DIGEST, description="The artifact's folder name in the build directory (its key).")
    artifact_digest: str = Field(pattern=DIGEST, description="sha256 of the built files, as the update deployed them.")


class RollbackSettings(BaseModel):
    """What an earlier update served, pinned until the next deploy from git."""

    model_config = _MODEL

    to_update: int = Field(ge=1, description="The update (`pulumi stack history` version) whose release this is.")
    image: str | None = Field(default=None, min_length=1, description="The backend image that update ran.")
    builds: dict[str, PinnedBuild] = Field(default_factory=dict, description="App -> the build that update served.")


def artifact_digest(folder: Path) -> str:
    """An artifact folder's digest, computed as the build provider computes it."""
    from providers.build.digest import output_files, tree_digest

    return tree_digest(folder, output_files(folder))


def pinned_artifact_problems(rollback: RollbackSettings | None, build_dir: Path, stack: str,
                             digest_of: Callable[[Path], str] = artifact_digest) -> list[str]:
    """Why the pinned builds cannot be served from this machine (a missing or changed artifact folder)."""
    if rollback is None:
        return []
    problems = []
    for app, pin in sorted(rollback.builds.items()):
        folder = build_dir / pin.artifact_key
        key = f"stagecraft:rollback.builds.{app}"
        if not folder.is_dir():
            problems.append(f"{key}: the build of update {rollback.to_update} ({folder}) is not on this machine. Fix: "
                            f"run the rollback where that update was built (or restore its build folder), or go "
                            f"back to the current code with `pulumi config rm stagecraft:rollback -s {stack}`. "
                            f"Nothing was changed.")
        elif digest_of(folder) != pin.artifact_digest:
            problems.append(f"{key}: {folder} no longer holds the files update {rollback.to_update} deployed (its "
                            f"digest differs). Fix: `pulumi config rm stagecraft:rollback -s {stack}` and deploy "
                            f"again. Nothing was changed.")
    return problems


def pinned_artifacts(rollback: RollbackSettings | None, build_dir: Path) -> Mapping[str, tuple[str, str]]:
    """App -> (absolute artifact folder, digest) of every pinned build."""
    if rollback is None:
        return {}
    return {app: (str(build_dir / pin.artifact_key), pin.artifact_digest) for app, pin in rollback.builds.items()}
