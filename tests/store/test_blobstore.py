from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from assay.config import Settings
from assay.errors import NotFound, PayloadTooLarge
from assay.store.blobstore import (
    BlobStore,
    LocalBlobStore,
    S3BlobStore,
    iter_chunks,
    make_blob_store,
)

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


@pytest.fixture(params=["local", "s3"])
def blob_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    if request.param == "local":
        yield LocalBlobStore(tmp_path / "blobs")
        return
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="assay-media")
        yield S3BlobStore("assay-media", client=client)


def read_all(blob_store: BlobStore, key: str) -> bytes:
    return b"".join(iter_chunks(blob_store.open(key), chunk_bytes=1000))


def test_put_is_content_addressed_and_reads_back(blob_store: BlobStore) -> None:
    stored = blob_store.put("org_a", io.BytesIO(PNG), max_bytes=1 << 20)
    digest = hashlib.sha256(PNG).hexdigest()
    assert stored.sha256 == digest
    assert stored.size_bytes == len(PNG)
    assert stored.key == f"org_a/{digest[:2]}/{digest}"
    assert read_all(blob_store, stored.key) == PNG
    again = blob_store.put("org_a", io.BytesIO(PNG), max_bytes=1 << 20)
    assert again == stored


def test_oversize_stream_is_refused_and_nothing_is_kept(blob_store: BlobStore) -> None:
    with pytest.raises(PayloadTooLarge):
        blob_store.put("org_a", io.BytesIO(PNG), max_bytes=len(PNG) - 1)
    digest = hashlib.sha256(PNG).hexdigest()
    with pytest.raises(NotFound):
        blob_store.open(f"org_a/{digest[:2]}/{digest}")


def test_delete_removes_and_tolerates_missing(blob_store: BlobStore) -> None:
    stored = blob_store.put("org_a", io.BytesIO(b"abc"), max_bytes=1024)
    blob_store.delete(stored.key)
    with pytest.raises(NotFound):
        blob_store.open(stored.key)
    blob_store.delete(stored.key)


def test_keys_that_are_not_content_addresses_are_not_found(blob_store: BlobStore) -> None:
    for key in ("../../etc/passwd", "org_a/00/short", "/abs/00/" + "0" * 64):
        with pytest.raises(NotFound):
            blob_store.open(key)


def test_local_put_leaves_no_temp_files(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    store.put("org_a", io.BytesIO(b"x" * 5000), max_bytes=10_000)
    with pytest.raises(PayloadTooLarge):
        store.put("org_a", io.BytesIO(b"y" * 5000), max_bytes=1000)
    assert list((tmp_path / ".tmp").iterdir()) == []
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].read_bytes() == b"x" * 5000


def test_settings_choose_the_store(tmp_path: Path) -> None:
    local = make_blob_store(Settings(data_dir=tmp_path))
    assert isinstance(local, LocalBlobStore) and local.root == tmp_path / "blobs"
    with mock_aws():
        s3 = make_blob_store(Settings(data_dir=tmp_path, s3_bucket="b", s3_region="eu-west-1"))
        assert isinstance(s3, S3BlobStore) and s3.bucket == "b"
