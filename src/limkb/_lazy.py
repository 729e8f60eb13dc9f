"""Modules imported when first used, not when limkb is.

A rebuild that reuses everything never computes with numpy, yet ``import limkb`` imported it
(about 0.1 s of every process) because the analyses' modules name it at their top. Those
modules take :func:`lazy_module` instead: the module is imported on the first attribute asked
of it, and from then on its attributes are plain attributes of the stand-in (no slower).
"""

from __future__ import annotations

import importlib
import types
from typing import Any

__all__ = ["lazy_module"]


class _LazyModule(types.ModuleType):
    """Stands for the module ``__name__`` until an attribute of it is asked for."""

    def __getattr__(self, attribute: str) -> Any:
        module = importlib.import_module(self.__name__)
        self.__dict__.update(module.__dict__)  # later lookups find them without this method
        return getattr(module, attribute)


def lazy_module(name: str) -> Any:
    """A stand-in for the module ``name``, imported on its first use (see the module's description)."""
    return _LazyModule(name)
