"""The ``model.generate`` job: ask each model for its response, outside any transaction.

A run reads what to ask, ends its transaction, calls the models (each call retried by the
adapter on timeouts, 429 and 5xx), then records every outcome in one short transaction. A
failed call stays ``pending`` and the job raises, so the jobs system retries it with backoff;
after the project's ``max_attempts`` calls (or at once, for an error retrying cannot fix, such
as a bad API key) the generation is marked ``failed`` with its error for the requester to see
and retry. Writes are guarded by the generation's status, so two runs of one job do no harm.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assay.config import Settings
from assay.errors import AssayError, InvalidInput, UpstreamError
from assay.llm import Completion
from assay.services import comparisons, rubric_evals
from assay.services.generation_jobs import JOB_KIND
from assay.services.jobs import register_handler
from assay.services.model_endpoints import EndpointSnapshot, snapshot
from assay.services.model_pool import ModelPool
from assay.services.model_variants import record_variant, variant_settings
from assay.services.secret_key import load_secret_key
from assay.store import Session
from assay.store import generations as store
from assay.store import model_endpoints as endpoint_store
from assay.store import tasks as task_store
from assay.store.base import utcnow
from assay.store.models.rlhf import Generation, ProjectModelSetup

# Statuses after which asking again cannot help (bad request, key, permission, model name).
_PERMANENT_STATUSES = frozenset({400, 401, 403, 404, 422})


class GenerationPending(AssayError):
    """Some model calls failed this time; the job will try them again."""

    code = "generation_pending"


@dataclass(frozen=True)
class _Call:
    generation_id: str
    endpoint: EndpointSnapshot


@dataclass(frozen=True)
class _Plan:
    org_id: str
    project_id: str
    task_id: str | None
    eval_item_id: str | None
    calls: list[_Call]
    messages: list[dict[str, str]]
    params: dict[str, Any]
    max_attempts: int
    responses_key: str
    # What the project adds to every call, kept with each answer's model variant.
    project_settings: dict[str, Any]


@dataclass(frozen=True)
class _Outcome:
    generation_id: str
    completion: Completion | None
    error: str = ""
    permanent: bool = False


def run_generation(session: Session, pool: ModelPool, org_id: str, payload: dict[str, Any]) -> None:
    """Run one ``model.generate`` job (see the module docstring); commits its own work.

    Raises:
        GenerationPending: some generations failed and have attempts left.

    """
    plan = _plan(session, org_id, payload)
    # Model calls take seconds: hold no transaction (on SQLite, no write lock) meanwhile.
    session.rollback()
    if plan is None:
        return
    outcomes = [_call(pool, call, plan) for call in plan.calls]
    still_pending = _record(session, plan, outcomes)
    session.commit()
    if still_pending:
        errors = "; ".join(o.error for o in outcomes if o.error)
        raise GenerationPending(f"{still_pending} model response(s) still missing: {errors}")


def _plan(session: Session, org_id: str, payload: dict[str, Any]) -> _Plan | None:
    task_id, item_id = payload.get("task_id"), payload.get("eval_item_id")
    if task_id:
        task = task_store.get_task(session, org_id, str(task_id))
        if task is None:
            return None
        project_id, generations = task.project_id, store.list_task_generations(session, task.id)
        setup = endpoint_store.get_setup(session, org_id, project_id)
        conversation = list(task.payload.get(setup.prompt_key, [])) if setup else []
    else:
        item = store.get_eval_item(session, str(item_id))
        if item is None or item.org_id != org_id:
            return None
        generations = store.list_item_generations(session, item.id)
        setup = endpoint_store.get_setup(session, org_id, item.project_id)
        conversation = list(item.messages)
    if setup is None:
        return None
    return _Plan(
        org_id=org_id,
        project_id=setup.project_id,
        task_id=str(task_id) if task_id else None,
        eval_item_id=None if task_id else str(item_id),
        calls=_calls(session, org_id, generations),
        messages=_with_system_prompt(setup, conversation),
        params=dict(setup.params),
        max_attempts=setup.max_attempts,
        responses_key=setup.responses_key,
        project_settings=variant_settings(setup.params, setup.system_prompt),
    )


def _calls(session: Session, org_id: str, generations: list[Generation]) -> list[_Call]:
    pending = [g for g in generations if g.status == "pending"]
    endpoints = endpoint_store.list_endpoints_by_ids(
        session, org_id, sorted({g.endpoint_id for g in pending})
    )
    return [_Call(g.id, snapshot(endpoints[g.endpoint_id])) for g in pending]


def _with_system_prompt(
    setup: ProjectModelSetup, conversation: list[dict[str, str]]
) -> list[dict[str, str]]:
    if not setup.system_prompt or (conversation and conversation[0].get("role") == "system"):
        return conversation
    return [{"role": "system", "content": setup.system_prompt}, *conversation]


def _call(pool: ModelPool, call: _Call, plan: _Plan) -> _Outcome:
    try:
        completion = pool.model_for(call.endpoint).complete(plan.messages, **plan.params)
    except Exception as exc:  # every failure is recorded on the generation, never lost
        return _Outcome(call.generation_id, None, _describe(exc), _is_permanent(exc))
    if completion.content is None:
        return _Outcome(call.generation_id, None, "the model answered with no text")
    return _Outcome(call.generation_id, completion)


def _describe(exc: Exception) -> str:
    message = exc.message if isinstance(exc, AssayError) else str(exc)
    return f"{type(exc).__name__}: {message}"[:4000]


def _is_permanent(exc: Exception) -> bool:
    if isinstance(exc, InvalidInput):
        return True
    details = exc.details if isinstance(exc, UpstreamError) else None
    return isinstance(details, dict) and details.get("status") in _PERMANENT_STATUSES


def _record(session: Session, plan: _Plan, outcomes: list[_Outcome]) -> int:
    """Store the outcomes, settle the task or item, and return how many are still pending."""
    rows = {g.id: g for g in store.get_generations(session, [o.generation_id for o in outcomes])}
    endpoints = {call.generation_id: call.endpoint for call in plan.calls}
    now = utcnow()
    for outcome in outcomes:
        generation = rows.get(outcome.generation_id)
        if generation is None or generation.status != "pending":
            continue  # another run of the same job got here first
        generation.attempts += 1
        if outcome.completion is not None:
            _store_completion(generation, outcome.completion)
            generation.completed_at = now
            generation.variant_id = record_variant(
                session,
                project_id=plan.project_id,
                endpoint=endpoints[generation.id],
                project_settings=plan.project_settings,
            )
        else:
            generation.error = outcome.error
            if outcome.permanent or generation.attempts >= plan.max_attempts:
                generation.status = "failed"
    if plan.task_id:
        comparisons.settle_task(session, plan.task_id, plan.responses_key)
    elif plan.eval_item_id:
        rubric_evals.settle_item(session, plan.org_id, plan.eval_item_id)
    return sum(1 for g in rows.values() if g.status == "pending")


def _store_completion(generation: Generation, completion: Completion) -> None:
    generation.status = "done"
    generation.content = completion.content
    generation.finish_reason = completion.finish_reason[:32]
    generation.latency_ms = completion.latency_ms
    generation.prompt_tokens = completion.usage.prompt_tokens
    generation.completion_tokens = completion.usage.completion_tokens
    generation.error = ""


def install_generation_jobs(settings: Settings, *, pool: ModelPool | None = None) -> ModelPool:
    """Register the ``model.generate`` handler; call before starting the job runner.

    Returns the model pool the handler uses (close it on shutdown).
    """
    pool = pool or ModelPool(lambda: load_secret_key(settings))

    def handle(session: Session, org_id: str, payload: dict[str, Any]) -> None:
        run_generation(session, pool, org_id, payload)

    register_handler(JOB_KIND, handle)
    return pool
