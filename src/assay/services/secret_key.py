"""The key that encrypts secrets at rest: ``Settings.secret_key``, else one kept in the data dir.

When ``ASSAY_SECRET_KEY`` is unset, the first use generates a key into ``<data_dir>/secret.key``
(readable by its owner only) and later uses read it back, so a single-machine install needs no
set-up. Every API server of a multi-server install must share the key: set
``ASSAY_SECRET_KEY`` there (``python -c "from assay.llm import generate_secret_key as g;
print(g())"`` makes one). Losing the key makes stored model API keys unreadable: re-enter them.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from assay.config import Settings
from assay.errors import AssayError
from assay.llm import generate_secret_key

SECRET_KEY_FILE = "secret.key"


def load_secret_key(settings: Settings) -> str:
    """Return the configured secret key, creating ``<data_dir>/secret.key`` on first use."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / SECRET_KEY_FILE
    if not path.exists():
        _create_key_file(path)
    for _ in range(50):  # another process may be between creating the file and writing it
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
        time.sleep(0.01)
    raise AssayError(f"{path} is empty: delete it to make a new key, or set ASSAY_SECRET_KEY.")


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: when two processes start at once, one writes the key and the other reads it.
    with contextlib.suppress(FileExistsError):
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(generate_secret_key() + "\n")
