"""Optional features, and the named error when the extra that installs one is missing.

A base install (``pip install pinpoint``) serves and indexes everything the
README promises; some features need an extra (``pip install 'pinpoint[csl]'``).
Their libraries are imported on first use through ``optional_import`` so that
a missing extra becomes one clear error naming it, at the edge (a 501
problem+json, or one CLI line), instead of an ImportError in a worker.
"""

from __future__ import annotations

import importlib
from types import ModuleType


class MissingExtra(ImportError):
    """A feature was asked for whose optional dependencies are not installed."""

    def __init__(self, feature: str, extra: str):
        super().__init__(
            f"{feature} needs Pinpoint's optional '{extra}' extra, which is not installed "
            f"here: pip install 'pinpoint[{extra}]'"
        )
        self.feature = feature
        self.extra = extra


def optional_import(module: str, *, extra: str, feature: str) -> ModuleType:
    """``module``, imported; raises MissingExtra naming ``extra`` when it is absent."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as missing:
        # Only the module itself (or its parent package) being absent means the
        # extra is not installed; a module that fails to import something of
        # its own is a broken install and must surface as it is.
        if missing.name and (module == missing.name or module.startswith(missing.name + ".")):
            raise MissingExtra(feature, extra) from missing
        raise
