"""Neon dynamic providers: ``Branch``, ``Endpoint``, ``Role``, ``Database`` (``pulumi-python:dynamic/neon:*``).

The Neon project itself comes from the official ``pulumi-neon`` package; these cover what it lacks.
"""

from .branch import Branch, BranchArgs, BranchProvider
from .database import Database, DatabaseArgs, DatabaseProvider
from .endpoint import Endpoint, EndpointArgs, EndpointProvider
from .role import Role, RoleArgs, RoleProvider

__all__ = ["Branch", "BranchArgs", "BranchProvider", "Database", "DatabaseArgs", "DatabaseProvider", "Endpoint",
           "EndpointArgs", "EndpointProvider", "Role", "RoleArgs", "RoleProvider"]
