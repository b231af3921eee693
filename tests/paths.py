"""Paths the tests share: the repository root and the read-only shared/ folder beside it."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
