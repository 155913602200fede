"""Writes on rooms and messages; the only code that publishes events (through parley.events)."""
