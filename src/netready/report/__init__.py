"""Exports of findings: JSON lines and CSV (HTML/PDF reports come later)."""
