"""Koyeb dynamic providers: ``App``, ``Secret`` and ``Service`` (type tokens ``pulumi-python:dynamic/koyeb:*``)."""

from .app import App, AppArgs, AppProvider
from .secret import Secret, SecretArgs, SecretProvider
from .service import Service, ServiceArgs, ServiceProvider

__all__ = ["App", "AppArgs", "AppProvider", "Secret", "SecretArgs", "SecretProvider", "Service", "ServiceArgs",
           "ServiceProvider"]
