"""Shared paths and the chapter lists; every test runs with BOOK_FAST=1 unless told otherwise."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("BOOK_FAST", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOURCES = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
CHAPTERS = [p for p in SOURCES if not p.name.startswith("00_")]
