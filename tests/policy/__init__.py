"""Tests of the CrossGuard policy pack in policies/ (unit tests of every rule, and runs on the real engine)."""
