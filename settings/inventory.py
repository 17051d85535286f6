"""The product's app inventory, shared by every stack (DESIGN.md §1); stacks override it through config."""

from __future__ import annotations

from pydantic import BaseModel, Field

from settings.model_config import SETTINGS_MODEL

_MODEL = SETTINGS_MODEL

STAND_IN_SOURCE = "examples/product/web"
"""The stand-in product's web app (DESIGN §1): every app of the default inventory builds from it."""


class FrontendApp(BaseModel):
    """One static web frontend: built with Vite, served as static files, talks to the backend API."""

    model_config = _MODEL

    name: str = Field(pattern=r"^[a-z][a-z0-9-]{1,40}$", description="Unique app name; part of every physical name.")
    source: str = Field(default=STAND_IN_SOURCE,
                        description="The app's source folder, relative to the project (or absolute): where its "
                                    "package.json is. Default: the stand-in product, `examples/product/web`.")
    variant: str | None = Field(default=None, description="Template or theme the build selects (VITE_VARIANT).")
    dev_port: int = Field(ge=1024, le=65535, description="Port of the app's local dev server (its URL in `dev`).")
    framework: str = Field(description="What the app is built with, for the platform's build settings.")
    build_command: str = Field(default="npm run build", description="Command that builds the static site.")
    output_directory: str = Field(default="dist", description="Folder the build writes the static site to.")


def _commerce(template: str, port: int) -> FrontendApp:
    return FrontendApp(
        name=f"weedgo-commerce-{template}",
        variant=template,
        dev_port=port,
        framework="react19-vite7-pwa",
    )


def _chat(theme_number: int) -> FrontendApp:
    return FrontendApp(
        name=f"chat-commerce-web-theme-{theme_number}",
        variant=f"theme-{theme_number}",
        dev_port=5172 + theme_number,
        framework="react19-vite7-socketio",
    )


DEFAULT_FRONTENDS: tuple[FrontendApp, ...] = (
    _commerce("pot-palace", 3000),
    _commerce("modern", 3004),
    _commerce("headless", 3005),
    FrontendApp(name="ai-admin-dashboard", dev_port=3003, framework="react18-vite5"),
    *(_chat(n) for n in range(1, 9)),
)
"""Twelve frontends: weedgo-commerce x3 templates, ai-admin-dashboard, chat-commerce-web x8 themes."""
