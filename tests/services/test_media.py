from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assay.domain.enums import Role
from assay.errors import InvalidInput, NotFound, PayloadTooLarge, PermissionDenied
from assay.services import media
from assay.services.actor import Actor
from assay.store import Session, make_engine, make_session_factory
from assay.store.blobstore import LocalBlobStore
from assay.store.models import AuditEvent, Blob
from tests.support.factories import make_organisation

WAV = b"RIFF" + b"\x00" * 2000


@dataclass
class World:
    session: Session
    store: LocalBlobStore
    requester: Actor
    worker: Actor
    stranger: Actor


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        acme, globex = make_organisation(session), make_organisation(session)
        session.commit()
        yield World(
            session=session,
            store=LocalBlobStore(tmp_path / "blobs"),
            requester=Actor(org_id=acme.id, role=Role.REQUESTER, key_id="k1"),
            worker=Actor(org_id=acme.id, role=Role.WORKER, key_id="k2", worker_id="w"),
            stranger=Actor(org_id=globex.id, role=Role.ADMIN, key_id="k3"),
        )
    engine.dispose()


def upload(
    world: World, data: bytes = WAV, content_type: str | None = "audio/wav"
) -> media.MediaView:
    return media.upload_media(
        world.session,
        world.requester,
        world.store,
        io.BytesIO(data),
        filename="../clips/take 1.wav",
        content_type=content_type,
        max_bytes=4096,
    )


def test_upload_records_metadata_and_bytes_stay_out_of_the_database(world: World) -> None:
    view = upload(world, content_type="Audio/WAV; rate=16000")
    assert view.reference == f"blob:{view.id}"
    assert view.content_type == "audio/wav"
    assert view.filename == "take 1.wav"
    assert view.size_bytes == len(WAV)
    assert media.parse_media_reference(view.reference) == view.id
    stored = world.session.scalar(select(Blob).where(Blob.id == view.id))
    assert stored is not None and stored.storage_key.startswith(world.requester.org_id + "/")
    meta, chunks = media.open_media(world.session, world.worker, world.store, view.id)
    assert meta == view and b"".join(chunks) == WAV
    actions = world.session.scalars(select(AuditEvent.action)).all()
    assert actions == ["media.upload"]


@pytest.mark.parametrize("content_type", ["text/html", "application/pdf", None, "image/"])
def test_only_images_audio_and_video_are_accepted(world: World, content_type: str | None) -> None:
    with pytest.raises(InvalidInput):
        upload(world, content_type=content_type)
    assert world.session.scalar(select(func.count()).select_from(Blob)) == 0


def test_size_limit(world: World) -> None:
    with pytest.raises(PayloadTooLarge):
        upload(world, data=b"\x00" * 4097, content_type="image/png")
    assert world.session.scalar(select(func.count()).select_from(Blob)) == 0


def test_workers_read_but_cannot_upload(world: World) -> None:
    with pytest.raises(PermissionDenied):
        media.upload_media(
            world.session,
            world.worker,
            world.store,
            io.BytesIO(WAV),
            filename="x.wav",
            content_type="audio/wav",
            max_bytes=4096,
        )
    view = upload(world)
    assert media.get_media(world.session, world.worker, view.id) == view


def test_another_organisations_blob_is_not_found(world: World) -> None:
    view = upload(world)
    with pytest.raises(NotFound):
        media.get_media(world.session, world.stranger, view.id)
    with pytest.raises(NotFound):
        media.open_media(world.session, world.stranger, world.store, view.id)


def test_delete_keeps_bytes_another_record_still_uses(world: World) -> None:
    first, second = upload(world), upload(world)
    assert first.id != second.id and first.sha256 == second.sha256
    media.delete_media(world.session, world.requester, world.store, first.id)
    assert b"".join(media.open_media(world.session, world.worker, world.store, second.id)[1])
    media.delete_media(world.session, world.requester, world.store, second.id)
    with pytest.raises(NotFound):
        media.get_media(world.session, world.requester, second.id)
    assert [p for p in (world.store.root).rglob("*") if p.is_file()] == []


def test_references_are_parsed_strictly() -> None:
    assert media.parse_media_reference("https://example.org/a.png") is None
    assert media.parse_media_reference("blob:../../x") is None
