"""Replay past incidents (../shared/spec/incident-format.md) and score what retrieval found."""
