"""Dynamic providers that act on a PostgreSQL database over SQL, whatever platform hosts it."""
