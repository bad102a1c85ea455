"""Password hashing with Argon2id (no length cap like bcrypt's 72 bytes)."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

# Checked when the email is unknown (or the account has no password), so that
# such an attempt costs one verification, just as a wrong password does.
_DUMMY_PASSWORD = "notesbase-timing-equaliser"  # noqa: S105 - not a credential


@lru_cache(maxsize=8)
def _hasher_for(time_cost: int, memory_cost: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)


@lru_cache(maxsize=8)
def _dummy_hash(time_cost: int, memory_cost: int) -> str:
    return _hasher_for(time_cost, memory_cost).hash(_DUMMY_PASSWORD)


def _costs() -> tuple[int, int]:
    config = current_app.config
    return int(config["PASSWORD_HASH_TIME_COST"]), int(config["PASSWORD_HASH_MEMORY_COST"])


def _hasher() -> PasswordHasher:
    return _hasher_for(*_costs())


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; an absent hash still costs a verification."""
    hasher = _hasher()
    try:
        matched = hasher.verify(password_hash or _dummy_hash(*_costs()), password)
    except (VerificationError, InvalidHashError):
        return False
    return matched and bool(password_hash)


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than the configured ones."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
