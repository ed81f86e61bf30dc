from __future__ import annotations

import pytest

from assay.errors import InvalidInput
from assay.llm import decrypt_secret, encrypt_secret, generate_secret_key


def test_round_trip_and_tokens_do_not_reveal_the_secret() -> None:
    key = generate_secret_key()
    secret = "sk-proj-ÅßÇ-1234567890"
    token = encrypt_secret(secret, key)
    assert secret not in token and "1234567890" not in token
    assert token != encrypt_secret(secret, key)  # fresh IV each time
    assert decrypt_secret(token, key) == secret
    assert decrypt_secret(token, key.encode()) == secret


def test_wrong_key_is_refused() -> None:
    token = encrypt_secret("sk-abc", generate_secret_key())
    with pytest.raises(InvalidInput, match="another key"):
        decrypt_secret(token, generate_secret_key())


def test_tampered_or_garbage_tokens_are_refused() -> None:
    key = generate_secret_key()
    token = encrypt_secret("sk-abc", key)
    tampered = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    for bad in (tampered, "not-a-token", "", "ünicode"):
        with pytest.raises(InvalidInput):
            decrypt_secret(bad, key)


def test_malformed_keys_are_refused() -> None:
    with pytest.raises(InvalidInput, match="generate_secret_key"):
        encrypt_secret("x", "my-password")
    with pytest.raises(InvalidInput):
        decrypt_secret("x", "")


def test_generated_keys_are_distinct_text() -> None:
    keys = {generate_secret_key() for _ in range(20)}
    assert len(keys) == 20 and all(isinstance(k, str) and len(k) == 44 for k in keys)
