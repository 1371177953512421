"""Shared test data, builders and helpers (importable as ``support`` from the tests)."""
