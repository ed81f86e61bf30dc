"""Where media bytes live: a local directory by default, an S3-compatible bucket by configuration.

Objects are content-addressed: the key is ``<namespace>/<sha256[:2]>/<sha256>``, so the same file
uploaded twice is stored once and a key never changes meaning. The database keeps only metadata
(the ``blobs`` table); bytes never pass through it.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from assay.errors import InvalidInput, NotFound, PayloadTooLarge

if TYPE_CHECKING:
    from assay.config import Settings

CHUNK_BYTES = 1024 * 1024
_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}/[0-9a-f]{2}/[0-9a-f]{64}$")
_NAMESPACE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class StoredObject:
    """Where an object was put, and what it is."""

    key: str
    sha256: str
    size_bytes: int


class ReadableBlob(Protocol):
    """An open object: read it in chunks, then close it."""

    def read(self, size: int = -1, /) -> bytes:
        """Read up to ``size`` bytes; ``b""`` at the end."""
        ...

    def close(self) -> None:
        """Release the file or connection."""
        ...


class BlobStore(Protocol):
    """The operations Assay needs from a place that keeps bytes."""

    def put(self, namespace: str, stream: IO[bytes], *, max_bytes: int) -> StoredObject:
        """Store everything ``stream`` yields under ``namespace``, refusing more than ``max_bytes``.

        Raises:
            PayloadTooLarge: the stream is longer than ``max_bytes`` (nothing is kept).

        """
        ...

    def open(self, key: str) -> ReadableBlob:
        """Open the object's bytes; raises NotFound when there is no such object."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object; removing a missing object is not an error."""
        ...


def object_key(namespace: str, sha256: str) -> str:
    """Return the content address of an object."""
    if not _NAMESPACE.match(namespace):
        raise InvalidInput(f"Invalid blob namespace {namespace!r}.")
    return f"{namespace}/{sha256[:2]}/{sha256}"


def _check_key(key: str) -> str:
    # Keys come from our own database, but check anyway: a key is never a path to walk out with.
    if not _KEY.match(key):
        raise NotFound(f"No stored object {key!r}.")
    return key


def _copy_hashing(stream: IO[bytes], target: IO[bytes], max_bytes: int) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLarge(
                f"The file is larger than the limit of {max_bytes} bytes.",
                details={"max_bytes": max_bytes},
            )
        digest.update(chunk)
        target.write(chunk)
    return digest.hexdigest(), size


def iter_chunks(blob: ReadableBlob, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Read an open object to the end in chunks, closing it afterwards (even if abandoned)."""
    try:
        while chunk := blob.read(chunk_bytes):
            yield chunk
    finally:
        blob.close()


class LocalBlobStore:
    """Objects as files under ``root``; a put is a temp file renamed into place (atomic)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def put(self, namespace: str, stream: IO[bytes], *, max_bytes: int) -> StoredObject:
        """Copy the stream to a temp file while hashing, then rename it to its content address."""
        tmp_dir = self.root / ".tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
        tmp_path = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as target:
                sha256, size = _copy_hashing(stream, target, max_bytes)
                target.flush()
                os.fsync(target.fileno())
            key = object_key(namespace, sha256)
            final = self.root / key
            final.parent.mkdir(parents=True, exist_ok=True)
            # Same bytes, same name: replacing an existing copy is harmless and still atomic.
            os.replace(tmp_path, final)
        finally:
            tmp_path.unlink(missing_ok=True)
        return StoredObject(key=key, sha256=sha256, size_bytes=size)

    def open(self, key: str) -> ReadableBlob:
        """Open the file for reading."""
        try:
            return (self.root / _check_key(key)).open("rb")
        except FileNotFoundError:
            raise NotFound(f"No stored object {key!r}.") from None

    def delete(self, key: str) -> None:
        """Remove the file if it is there."""
        (self.root / _check_key(key)).unlink(missing_ok=True)


class S3BlobStore:
    """Objects in an S3-compatible bucket (AWS, MinIO, Ceph, R2...); needs the ``s3`` extra.

    The upload is spooled locally first (in memory up to 8 MiB, then a temp file) because the
    key is the content hash, which is known only once every byte has been read.
    """

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        client: Any = None,
    ) -> None:
        self.bucket = bucket
        if client is None:
            try:
                import boto3
            except ImportError:
                raise InvalidInput(
                    "ASSAY_S3_BUCKET is set but boto3 is not installed: pip install 'assay[s3]'."
                ) from None
            client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region)
        self.client = client

    def put(self, namespace: str, stream: IO[bytes], *, max_bytes: int) -> StoredObject:
        """Spool and hash the stream, then upload it unless the bucket already holds it."""
        with tempfile.SpooledTemporaryFile(max_size=8 * CHUNK_BYTES) as spool:
            sha256, size = _copy_hashing(stream, spool, max_bytes)
            key = object_key(namespace, sha256)
            if not self._exists(key):
                spool.seek(0)
                self.client.upload_fileobj(spool, self.bucket, key)
        return StoredObject(key=key, sha256=sha256, size_bytes=size)

    def open(self, key: str) -> ReadableBlob:
        """Open a streaming body of the object."""
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=_check_key(key))
        except self.client.exceptions.NoSuchKey:
            raise NotFound(f"No stored object {key!r}.") from None
        body: ReadableBlob = answer["Body"]
        return body

    def delete(self, key: str) -> None:
        """Delete the object (S3 deletes of missing keys succeed)."""
        self.client.delete_object(Bucket=self.bucket, Key=_check_key(key))

    def _exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True


def make_blob_store(settings: Settings) -> BlobStore:
    """Open the bucket when ``ASSAY_S3_BUCKET`` is set, else the local blob directory."""
    if settings.s3_bucket:
        return S3BlobStore(
            settings.s3_bucket, endpoint_url=settings.s3_endpoint_url, region=settings.s3_region
        )
    return LocalBlobStore(settings.resolved_blob_dir())
