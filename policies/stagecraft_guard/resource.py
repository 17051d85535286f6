"""One resource as the rules see it, whether it came from a resource or a stack validation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Tuple

from pulumi_policy import PolicyResource, ResourceValidationArgs

from . import props as props_mod
from .props import Key, Leaf, Value
from .report import subject


@dataclass(frozen=True)
class Resource:
    """A resource's type, names, properties and the options policies can see."""

    type: str
    name: str
    urn: str
    props: Mapping[str, Any]
    protect: bool = False
    secret_outputs: Tuple[str, ...] = ()

    @classmethod
    def from_args(cls, args: ResourceValidationArgs) -> "Resource":
        """From a resource validation (the resource's inputs, before it is changed)."""
        return cls(
            type=args.resource_type, name=args.name, urn=args.urn, props=args.props,
            protect=bool(args.opts.protect) if args.opts else False,
            secret_outputs=tuple(args.opts.additional_secret_outputs) if args.opts else (),
        )

    @classmethod
    def from_stack(cls, resource: PolicyResource) -> "Resource":
        """From a stack validation (the resource's outputs; during preview, its planned inputs)."""
        return cls(
            type=resource.resource_type, name=resource.name, urn=resource.urn, props=resource.props,
            protect=bool(resource.opts.protect) if resource.opts else False,
            secret_outputs=tuple(resource.opts.additional_secret_outputs) if resource.opts else (),
        )

    @property
    def subject(self) -> str:
        """How messages name this resource."""
        return subject(self.name, self.type)

    def get(self, *fields: Key) -> Value:
        """Read a field by its snake_case name (converted for official providers)."""
        return props_mod.read(self.props, self.type, *fields)

    def wire(self, field_name: str) -> str:
        """The name the engine uses for a field of this resource."""
        return props_mod.wire_name(self.type, field_name)

    def leaves(self, skip_fields: frozenset = frozenset()) -> Iterator[Leaf]:
        """Every scalar in the properties; ``skip_fields`` are snake_case top-level fields to leave out."""
        return props_mod.leaves(self.props, frozenset(self.wire(f) for f in skip_fields))
