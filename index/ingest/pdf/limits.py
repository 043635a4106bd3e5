"""What one PDF file may cost to read before it is skipped (set from the service's settings)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PdfLimits:
    seconds: float = 120.0  # wall time for one file's reading
    memory_mb: int = 1024  # address space the reading may add to the process it forks from


DEFAULT_LIMITS = PdfLimits()
