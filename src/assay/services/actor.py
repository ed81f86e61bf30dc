"""Who is calling a service: the organisation scope and role every query is checked against."""

from __future__ import annotations

from dataclasses import dataclass

from assay.domain.enums import Role
from assay.errors import PermissionDenied


@dataclass(frozen=True)
class Actor:
    """The authenticated caller; every service takes one, so no query runs without an org scope."""

    org_id: str
    role: Role
    key_id: str | None = None
    worker_id: str | None = None
    account_id: str | None = None

    @property
    def label(self) -> str:
        """How the audit log names this actor: the API key or web account, else the system."""
        if self.key_id:
            return f"key:{self.key_id}"
        if self.account_id:
            return f"account:{self.account_id}"
        return f"system:{self.role}"

    def require(self, *roles: Role) -> None:
        """Refuse unless the actor holds one of ``roles`` (admin holds every role)."""
        if self.role is Role.ADMIN or self.role in roles:
            return
        allowed = ", ".join(sorted(r.value for r in roles))
        raise PermissionDenied(
            f"A {self.role.value} key cannot do this; it needs a key with role: {allowed}."
        )

    def require_worker(self) -> str:
        """The worker id behind a worker/reviewer key, or a clear refusal."""
        if self.worker_id is None:
            raise PermissionDenied(
                "This route is for workers: use a key created with --role worker or reviewer."
            )
        return self.worker_id
