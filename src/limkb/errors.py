"""The exceptions limkb raises for problems in the data or the build, never for its own bugs."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from limkb.report import Report

__all__ = ["BuildError", "LimkbError", "LoadError", "TextError", "UnknownEntryError", "ValidationError"]


class LimkbError(Exception):
    """Base of every error limkb raises on purpose; the CLI prints it without a traceback."""


class LoadError(LimkbError):
    """Raised when the knowledge-base folder cannot be read at all (missing, not a folder)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ValidationError(LimkbError):
    """Raised by :func:`limkb.load` when the entries have errors; ``report`` holds them all."""

    def __init__(self, report: Report) -> None:
        super().__init__(f"the knowledge base has problems ({report.summary()}):\n{report.format()}")
        self.report = report


class BuildError(LimkbError):
    """Raised when a build step fails; the previous build output is left untouched."""

    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"build failed at {step}: {reason}")
        self.step = step
        self.reason = reason


class UnknownEntryError(LimkbError, KeyError):
    """Raised when an id names no entry; ``suggestions`` lists close ids."""

    def __init__(self, entry_id: str, suggestions: list[str]) -> None:
        hint = f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"{entry_id!r} is not an entry{hint}")
        self.entry_id = entry_id
        self.suggestions = suggestions

    def __str__(self) -> str:
        return str(self.args[0])


class TextError(ValueError):
    """A mistake at ``start``..``end`` of a short text a contributor wrote (a formulation, an
    expression), with how to fix it; validation turns it into a located problem."""

    def __init__(self, message: str, start: int, end: int, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end
        self.hint = hint
