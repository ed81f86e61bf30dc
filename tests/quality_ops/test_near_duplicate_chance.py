"""Near-duplicate text between two workers counts only beyond the project's own chance rate."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy.orm import Session

from assay.services.pair_signals import detect_near_duplicates
from assay.services.quality_data import load_project_data
from assay.store.models import Worker
from tests.support.factories import (
    LABEL_TEMPLATE,
    make_organisation,
    make_project,
    make_response,
    make_task,
    make_worker,
)

TEMPLATE: dict[str, Any] = {
    **LABEL_TEMPLATE,
    "questions": [
        *LABEL_TEMPLATE["questions"],
        {"type": "text", "name": "reason", "prompt": "Why?", "min_length": 2},
    ],
}
SHAPES = ["pointed", "floppy", "short", "curly", "long", "narrow", "broad", "wavy", "dark", "pale"]
FEATURES = ["ears", "muzzle", "coat", "tail", "eyes", "paws", "snout", "size"]


def _formulaic(rng: random.Random, label: str) -> str:
    """A short reason from a small vocabulary: honest workers repeat each other by chance."""
    parts = [f"{rng.choice(SHAPES)} {feature}" for feature in rng.sample(FEATURES, 3)]
    return f"{', '.join(parts)}; I think it is {label}"


def test_chance_repeats_of_formulaic_text_are_not_copying(session: Session) -> None:
    rng = random.Random(0)
    org = make_organisation(session)
    project = make_project(session, org, template=TEMPLATE, redundancy=3)
    honest = [make_worker(session, org, handle=f"honest-{i}") for i in range(8)]
    copiers = [make_worker(session, org, handle=f"copier-{i}") for i in range(2)]

    def write(task_label: str, worker: Worker, text: str, task: Any) -> None:
        make_response(session, task, worker, {"sentiment": task_label, "reason": text})

    for _ in range(200):
        label = rng.choice(["pos", "neu", "neg"])
        task = make_task(session, project, open_slots=0)
        for worker in rng.sample(honest, 3):
            write(label, worker, _formulaic(rng, label), task)
        if rng.random() < 0.3:
            text = _formulaic(rng, label)
            write(label, copiers[0], text, task)
            write(label, copiers[1], text + " too", task)
    session.commit()

    drafts = detect_near_duplicates(load_project_data(session, project))

    copier_ids = {w.id for w in copiers}
    found = {frozenset((str(d.worker_id), str(d.other_worker_id))): d for d in drafts}
    copied = found.pop(frozenset(copier_ids))
    assert copied.flagged and int(copied.evidence["near_duplicates"]) >= 40
    # Honest pairs repeat each other a few times among 600 short reasons, two or three
    # times for some pairs, as often as the project's rate predicts: none is flagged.
    honest_pairs = [d for pair, d in found.items() if not pair & copier_ids]
    assert max(int(d.evidence["near_duplicates"]) for d in honest_pairs) >= 2
    assert not any(d.flagged for d in found.values())
    for draft in honest_pairs:
        assert float(draft.evidence["adjusted_p_value"]) > 0.01
