"""Errors that services raise for input a person can correct."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input: each field named with what is wrong and what is allowed. Nothing was stored."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))


class NotFound(LookupError):
    def __init__(self, what: str):
        self.what = what
        super().__init__(f"{what} not found")


class Conflict(RuntimeError):
    """The change was refused because it clashes with what is stored."""


class NotAllowed(PermissionError):
    """The person may not make this change."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)
