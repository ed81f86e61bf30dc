"""Liveness."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """The server is up."""

    status: str


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """Answer 200 while the process serves requests."""
    return Health(status="ok")
