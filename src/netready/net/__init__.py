"""Shared network helpers used by several check families. No Qt here."""
