"""Delivery commands: `stagecraft pr-summary`, `stagecraft sweep`, `stagecraft affected-stacks` (DESIGN §9)."""
