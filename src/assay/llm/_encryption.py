"""Encryption of secrets at rest, such as model endpoints' API keys (Fernet: AES-128-CBC + HMAC)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from assay.errors import InvalidInput

__all__ = ["decrypt_secret", "encrypt_secret", "generate_secret_key"]

_BAD_KEY = "The secret key is not valid: use a key made by generate_secret_key()."


def generate_secret_key() -> str:
    """Make a fresh random key (32 bytes, URL-safe base64) for ``encrypt_secret``."""
    return Fernet.generate_key().decode("ascii")


def _fernet(key: str | bytes) -> Fernet:
    try:
        return Fernet(key)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(_BAD_KEY) from exc


def encrypt_secret(plaintext: str, key: str | bytes) -> str:
    """Encrypt and authenticate ``plaintext``; the token also records when it was made.

    Args:
        plaintext: The secret, e.g. an API key.
        key: A key from ``generate_secret_key``.

    Returns:
        An opaque ASCII token, safe to store in a database column.

    Raises:
        InvalidInput: The key is malformed.

    """
    return _fernet(key).encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt_secret(token: str, key: str | bytes) -> str:
    """Decrypt a token made by ``encrypt_secret`` with the same key.

    Raises:
        InvalidInput: The key is malformed, or the token was made with another key or altered.

    """
    fernet = _fernet(key)
    try:
        return fernet.decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as exc:
        raise InvalidInput(
            "This secret cannot be decrypted: it was encrypted with another key or was altered."
        ) from exc
