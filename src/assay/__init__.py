"""Assay: an open-source human-data platform where quality control is the product.

The curated public names load lazily, so ``import assay.quality`` never pulls in the HTTP client
and ``from assay import Client`` never pulls in numpy.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_PUBLIC = {
    "Client": "assay.sdk",
    "DawidSkene": "assay.quality",
    "MajorityVote": "assay.quality",
    "BradleyTerry": "assay.quality",
}

if TYPE_CHECKING:
    from assay.quality import BradleyTerry, DawidSkene, MajorityVote
    from assay.sdk import Client

__all__ = ["BradleyTerry", "Client", "DawidSkene", "MajorityVote", "__version__"]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'assay' has no attribute {name!r}")
    return getattr(import_module(module), name)
