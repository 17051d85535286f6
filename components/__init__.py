"""The product's ComponentResources, one per file (DESIGN.md §4), and the environment that wires them."""
