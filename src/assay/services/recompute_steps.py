"""How a quality recompute meets the database: reads on a snapshot, each write step short.

A recompute reads a whole project and fits models over it, which takes far longer than a
submit. Holding one write transaction for all of it blocks every submit (SQLite has one
writer), so the recompute is cut into steps that each commit on their own:

* the project's work is read on a snapshot (:func:`read_project_data`), which neither takes
  nor waits for the write lock;
* each writing step runs in its own transaction (:func:`commit_step`). A step's transaction
  begins at its first statement, so whatever the step computes before it touches the
  database (truth inference, the detectors) runs with no lock held;
* a step that rarely writes (the process-control charts) is first tried on a snapshot and
  only run again as a writer when it turns out to have something to write
  (:func:`run_reading_first`).

Between steps other requests commit; each step reads what it changes again inside its own
transaction, so it never writes over what they did.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from assay.services.quality_data import ProjectData, categorical_question
from assay.services.tasks import project_template
from assay.store import Session
from assay.store import quality_ops as quality_store
from assay.store import recompute as store
from assay.store.engine import SnapshotWriteError, snapshot_session
from assay.store.models import Project

T = TypeVar("T")

# After a write step, waiting writers get the lock before the recompute takes it again: a
# thread lock has no queue, and the thread that just released it would usually win it back.
YIELD_SECONDS = 0.002


def read_project_data(session: Session, project: Project) -> ProjectData:
    """Read the project's answered tasks, responses and weights on one snapshot."""
    template = project_template(project)
    with snapshot_session(session) as reader:
        return ProjectData(
            project=project,
            template=template,
            tasks={t.id: t for t in store.list_answered_tasks(reader, project.id)},
            responses=quality_store.list_project_responses(reader, project.id),
            weights=quality_store.get_weights(reader, project.id),
            question=categorical_question(template),
        )


def commit_step(session: Session, step: Callable[[Session], T]) -> T:
    """Run one step in its own transaction on ``session`` and commit it."""
    outcome = step(session)
    session.commit()
    yield_to_writers()
    return outcome


def run_reading_first(session: Session, step: Callable[[Session], T]) -> T:
    """Run a step on a snapshot; only if it needs to write, run it again as a writer.

    The step must change nothing but through its session (the snapshot attempt is
    discarded when it tries to write, before anything is sent).
    """
    try:
        with snapshot_session(session) as reader:
            return step(reader)
    except SnapshotWriteError:
        return commit_step(session, step)


def yield_to_writers() -> None:
    """Let requests waiting to write go first (see ``YIELD_SECONDS``)."""
    time.sleep(YIELD_SECONDS)
