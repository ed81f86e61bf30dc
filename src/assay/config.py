"""Settings, read once from the environment (prefix ``ASSAY_``) and passed in, never global."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path(".assay")


def default_database_url(data_dir: Path = DEFAULT_DATA_DIR) -> str:
    """The embedded SQLite database under the data directory."""
    return f"sqlite:///{data_dir / 'assay.db'}"


class Settings(BaseSettings):
    """Everything a running Assay needs to know about its surroundings."""

    model_config = SettingsConfigDict(env_prefix="ASSAY_", extra="ignore")

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = ""
    # Blobs go to a local directory unless an S3-compatible bucket is configured.
    blob_dir: Path | None = None
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    max_request_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    max_blob_bytes: int = Field(default=512 * 1024 * 1024, ge=1024)
    max_tasks_per_request: int = Field(default=50_000, ge=1)
    lease_seconds: int = Field(default=900, ge=5)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_max_attempts: int = Field(default=12, ge=1)
    # Key used to encrypt secrets at rest (model endpoint keys); generated into data_dir if unset.
    secret_key: str | None = None
    session_secret: str | None = None
    # Seeds the server's random draws (gold injection, A/B sides, review sampling), so a
    # simulation replayed request by request repeats exactly. Unset (fresh draws) in production.
    random_seed: int | None = None

    def resolved_database_url(self) -> str:
        """The database URL, falling back to the SQLite file under the data directory."""
        return self.database_url or default_database_url(self.data_dir)

    def resolved_blob_dir(self) -> Path:
        """Where local blobs live."""
        return self.blob_dir or self.data_dir / "blobs"
