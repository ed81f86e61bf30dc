from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assay.api.routes import media
from assay.config import Settings
from tests.support.api import Keys, headers
from tests.support.routers import app_with

JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 6


@pytest.fixture
def media_client(settings: Settings) -> Iterator[TestClient]:
    limited = settings.model_copy(update={"max_blob_bytes": 2048})
    with TestClient(app_with(limited, media.router)) as client:
        yield client


def upload(client: TestClient, key: str, data: bytes = JPEG, content_type: str = "image/jpeg"):
    files = {"file": ("cat.jpg", data, content_type)}
    return client.post("/v1/media", files=files, headers=headers(key))


def test_upload_then_download_with_its_content_type(media_client: TestClient, keys: Keys) -> None:
    created = upload(media_client, keys.requester)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["reference"] == f"blob:{body['id']}"
    assert body["content_type"] == "image/jpeg" and body["size_bytes"] == len(JPEG)

    got = media_client.get(f"/v1/media/{body['id']}", headers=headers(keys.workers[0]))
    assert got.status_code == 200
    assert got.content == JPEG
    assert got.headers["content-type"] == "image/jpeg"
    assert got.headers["content-length"] == str(len(JPEG))
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in got.headers["content-security-policy"]

    meta = media_client.get(f"/v1/media/{body['id']}/meta", headers=headers(keys.requester))
    assert meta.json() == body


def test_another_organisation_gets_404(media_client: TestClient, keys: Keys) -> None:
    blob_id = upload(media_client, keys.requester).json()["id"]
    for path in (f"/v1/media/{blob_id}", f"/v1/media/{blob_id}/meta"):
        answer = media_client.get(path, headers=headers(keys.other_requester))
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "not_found"


def test_refusals_are_json_errors(media_client: TestClient, keys: Keys) -> None:
    wrong_type = upload(media_client, keys.requester, b"<script>", "text/html")
    assert wrong_type.status_code == 422
    assert "image/*" in wrong_type.json()["error"]["message"]
    too_big = upload(media_client, keys.requester, b"\x00" * 2049, "video/mp4")
    assert too_big.status_code == 413
    assert upload(media_client, keys.workers[0]).status_code == 403
    anonymous = media_client.post("/v1/media", files={"file": ("a.png", b"x", "image/png")})
    assert anonymous.status_code == 401
    missing_file = media_client.post("/v1/media", headers=headers(keys.requester))
    assert missing_file.status_code == 422
