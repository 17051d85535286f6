"""Engine tests: the real pulumi CLI on real stacks (local state, local PostgreSQL, loopback emulators)."""
