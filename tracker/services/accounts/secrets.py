"""Random tokens and password hashes. Nothing secret is ever stored in clear."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from tracker.config import get_settings
from tracker.formats import Text
from tracker.inputs import bad_character
from tracker.locales import N_


@lru_cache
def _hasher() -> PasswordHash:
    """Argon2id with the configured costs; when they change, hashes are renewed at sign-in."""
    settings = get_settings()
    return PasswordHash(
        (
            Argon2Hasher(
                time_cost=settings.argon2_time_cost,
                memory_cost=settings.argon2_memory_kib,
                parallelism=settings.argon2_parallelism,
            ),
        )
    )


@lru_cache
def _dummy_hash() -> str:
    # Verified against when no account matches, so that a wrong email costs as long as a
    # wrong password and the timing does not tell whether an account exists.
    return _hasher().hash("no account has this password")


MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, stored_hash: str | None) -> tuple[bool, str | None]:
    """(valid, new_hash): new_hash is set when the stored hash uses outdated parameters."""
    if not stored_hash:
        _hasher().verify(password, _dummy_hash())
        return False, None
    return _hasher().verify_and_update(password, stored_hash)


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return Text(N_("must be at least %(least)s characters long"), least=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return Text(N_("must be at most %(most)s characters long"), most=MAX_PASSWORD_LENGTH)
    if password.strip() == "":
        return Text(N_("must not be only spaces"))
    if bad_character(password, allow_line_breaks=False):
        return Text(N_("must not contain control characters (such as a NUL byte or a tab)"))
    return None


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """SHA-256 of a random token: enough for 256-bit random values, and fast to look up."""
    return hashlib.sha256(token.encode()).hexdigest()


def sign(secret_key: str, *parts: str) -> str:
    message = "\x1f".join(parts).encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
