"""Tests of the local and SQL dynamic providers against the project PostgreSQL server and the file system."""
