"""Model work in headless Chromium: a live chat with two candidates a turn, and a comparison.

The models are the local OpenAI-compatible server (real HTTP); screenshots go to
test-artifacts/ for people to look at.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from assay.llm import Backoff
from assay.services import chats
from assay.services import tasks as task_service
from assay.services.generation import install_generation_jobs
from assay.services.model_pool import ModelPool
from assay.services.secret_key import load_secret_key
from assay.store import comparisons as sides_store
from tests.rlhf.conftest import FAKE_KEY
from tests.rlhf.flows import run_jobs
from tests.support.fake_openai import FakeOpenAI, FakeReply
from tests.web import conftest as web_fixtures
from tests.web import seed
from tests.web.chat_seed import add_chat_project, add_comparison, add_endpoints
from tests.web.conftest import WebEnv, browser_login

pytestmark = pytest.mark.browser

# The workbench's live server and pages (tests/web/conftest.py), reused by name.
live_env = web_fixtures.live_env
live_server = web_fixtures.live_server
new_page = web_fixtures.new_page

MODELS = {"Model North": "north-1", "Model South": "south-1"}


def shot(page: Any, artifacts_dir: Path, name: str) -> None:
    """A full-page screenshot from the top, without passing toasts."""
    page.evaluate("() => { document.querySelectorAll('.toast').forEach((t) => t.remove()); }")
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts_dir / f"{name}.png"), full_page=True)


def _last_user_text(request: dict[str, Any]) -> str:
    users = [m for m in request.get("messages", []) if m.get("role") == "user"]
    return str(users[-1]["content"]) if users else ""


def styled_replies(request: dict[str, Any]) -> FakeReply:
    """Two recognisable house styles (neither names its model): terse, and structured."""
    topic = _last_user_text(request).rstrip("?.!")
    if request.get("model") == "north-1":
        return FakeReply(content=f"**In short:** for *{topic}*, start early and keep it simple.")
    return FakeReply(
        content=(
            f"Here is a plan for *{topic}*:\n\n"
            "1. **Morning** — a walk and a coffee\n"
            "2. **Afternoon** — a museum\n"
            "3. **Evening** — dinner somewhere local\n\n"
            "```text\nbudget: about 60 EUR\n```"
        )
    )


@pytest.fixture
def styled(fake: FakeOpenAI) -> FakeOpenAI:
    fake.set_default(styled_replies)
    return fake


def _send(page: Any, text: str) -> None:
    page.fill("#composer-text", text)
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#pick-panel .response-card.candidate >> nth=1")


def _chat_world(env: WebEnv, fake: FakeOpenAI) -> tuple[seed.Org, str]:
    org = seed.new_org(env.factory)
    seed.add_account(org, "wendy")
    ids = add_endpoints(org, env.settings, fake.base_url, MODELS, api_key=FAKE_KEY)
    project_id = add_chat_project(
        org, list(ids.values()), name="Travel chat", system_prompt="You are a travel guide."
    )
    return org, project_id


def test_a_worker_collects_a_live_chat_and_a_requester_reads_its_tree(
    new_page: Any, live_env: WebEnv, styled: FakeOpenAI, artifacts_dir: Path
) -> None:
    org, project_id = _chat_world(live_env, styled)
    page = new_page()
    browser_login(page, org.email("wendy"), seed.PASSWORD)
    page.locator("li.project", has=page.locator("h3", has_text="Travel chat")).get_by_role(
        "link", name="Chat"
    ).click()
    page.wait_for_url(f"**/chat/projects/{project_id}")
    shot(page, artifacts_dir, "chat-00-project-home")
    page.get_by_role("button", name="Start a conversation").click()
    page.wait_for_url(re.compile(r"/chat/cht_\w+$"))
    chat_id = page.url.rsplit("/", 1)[1]

    # Turn 1: a model fails first; the turn stays, and T asks both models again.
    styled.enqueue(FakeReply(status=503))
    page.fill("#composer-text", "Plan a day in Lisbon.")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#retry-button")
    assert "did not answer" in page.locator("#pick-panel [role=alert]").inner_text()
    assert page.locator("#chat-log .msg.pending").inner_text().endswith("Plan a day in Lisbon.")
    shot(page, artifacts_dir, "chat-01a-model-failed")
    page.keyboard.press("t")
    page.wait_for_selector("#pick-panel .response-card.candidate >> nth=1")
    assert (
        page.locator("#chat-error").is_hidden()
        and page.locator("[role=alert]:visible").count() == 0
    )

    # Two anonymous candidates; "better" (S twice), a reason, then 2 picks B.
    cards = page.locator("#pick-panel .response-card.candidate")
    assert [cards.nth(i).locator("header span").first.inner_text() for i in (0, 1)] == [
        "Reply A",
        "Reply B",
    ]
    assert cards.locator("strong").count() >= 1  # markdown rendered, not shown as asterisks
    body = page.locator("body").inner_text()
    assert not any(name in body for name in MODELS) and "north-1" not in body
    page.keyboard.press("s")
    page.keyboard.press("s")
    page.keyboard.press("r")
    page.keyboard.type("Concrete steps beat a slogan.")
    page.keyboard.press("Escape")
    shot(page, artifacts_dir, "chat-01b-two-candidates")
    first_ids = page.evaluate("window.assayChat.state.candidates.map((c) => c.id)")
    page.keyboard.press("2")
    page.wait_for_selector("#chat-log .msg.role-assistant")
    assert page.locator("#pick-panel").is_hidden()
    assert page.evaluate("document.activeElement.id") == "composer-text"

    # Turn 2: select A, rewrite it (the box starts with A's text), keep the rewrite.
    _send(page, "And the evening?")
    second = page.evaluate("window.assayChat.state.candidates")
    second_ids = [candidate["id"] for candidate in second]
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("e")
    box = page.locator("#rewrite-text")
    assert box.is_visible() and box.input_value() == second[0]["content"]
    box.fill("Dinner in **Alfama**, then fado in a small tasca.")
    shot(page, artifacts_dir, "chat-02-rewrite-box")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#chat-log .msg.role-assistant >> nth=1")
    last = page.locator("#chat-log .msg").last
    assert "your rewrite" in last.inner_text() and last.locator("strong").inner_text() == "Alfama"

    page.keyboard.press("Escape")  # leave the message box, then F finishes
    page.keyboard.press("f")
    page.keyboard.press("Enter")
    page.wait_for_selector("#finished-note:visible")
    assert page.locator("#composer").is_hidden()
    assert page.locator("#chat-status").inner_text() == "finished"
    shot(page, artifacts_dir, "chat-03-finished")

    with live_env.factory() as session:
        tree = chats.conversation_tree(session, org.admin, chat_id)
    assert tree.conversation.status == "finished"
    turns = [n for n in tree.nodes if n.role == "user"]
    assert [t.content for t in turns] == ["Plan a day in Lisbon.", "And the evening?"]
    chosen = {n.parent_id: n for n in tree.nodes if n.chosen}
    assert chosen[turns[0].id].id == first_ids[1]  # B, as picked
    assert (chosen[turns[0].id].strength, chosen[turns[0].id].reason) == (
        2,
        "Concrete steps beat a slogan.",
    )
    assert turns[1].parent_id == first_ids[1]
    rewrite = chosen[turns[1].id]
    assert rewrite.rewritten and rewrite.rewrite_of == second_ids[0]  # A, rewritten
    assert rewrite.content == "Dinner in **Alfama**, then fado in a small tasca."
    assert len(tree.nodes) == 2 + 4 + 1  # two turns, four candidates, one rewrite

    ops = new_page()
    browser_login(ops, org.email("ops"), seed.PASSWORD)
    ops.goto(f"/ops/projects/{project_id}/chats")
    ops.get_by_role("link", name="Open").click()
    ops.wait_for_url(f"**/ops/chats/{chat_id}")
    assert ops.locator("[data-turn]").count() == 2
    assert ops.locator("[data-turn='2'] [data-reply='Rewrite of A'] .pill.ok").count() == 1
    shown_models = ops.locator(".response-card .model").all_inner_texts()
    assert set(MODELS) <= set(shown_models)
    shot(ops, artifacts_dir, "chat-04-requester-tree")


def test_a_worker_compares_two_generated_responses_in_the_workbench(
    new_page: Any, live_env: WebEnv, styled: FakeOpenAI, artifacts_dir: Path
) -> None:
    org = seed.new_org(live_env.factory)
    seed.add_account(org, "wendy")
    ids = add_endpoints(org, live_env.settings, styled.base_url, MODELS, api_key=FAKE_KEY)
    _project_id, (task_id,) = add_comparison(org, list(ids.values()), ["Plan a day in Porto."])
    fast = Backoff(base=0.01, cap=0.05, max_retry_after=0.05, seed=0)
    pool = ModelPool(lambda: load_secret_key(live_env.settings), backoff=fast)
    install_generation_jobs(live_env.settings, pool=pool)
    try:
        assert len(run_jobs(live_env.factory).done) == 1
    finally:
        pool.close()
    with live_env.factory() as session:
        payload = task_service.task_record(session, org.admin, task_id).task.payload
    assert all(r["content"] for r in payload["responses"])

    page = new_page()
    browser_login(page, org.email("wendy"), seed.PASSWORD)
    page.locator("li.project", has=page.locator("h3", has_text="Compare models")).get_by_role(
        "button", name="Start"
    ).click()
    page.wait_for_url(re.compile(r"/work/asg_"))
    page.wait_for_selector(".question.current")
    assignment_id = page.url.split("/work/")[1].split("?")[0]
    shown = page.evaluate(
        "JSON.parse(document.getElementById('page-data').textContent).payload.responses"
    )
    assert len(shown) == 2 and not any(name in page.content() for name in MODELS)
    # B is much better overall; per axis: B, tie, tie, B slightly; then the reason.
    for key in ("b", "3", "b", "1", "t", "t", "b", "1"):
        page.keyboard.press(key)
    page.keyboard.type("B gives a concrete plan; A is a slogan.")
    shot(page, artifacts_dir, "chat-05-pairwise-task")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: "/work/" + assignment_id not in url)

    chosen_id = shown[1]["id"]  # B on this worker's screen
    task_order = [r["id"] for r in payload["responses"]]
    with live_env.factory() as session:
        (response,) = task_service.task_record(session, org.admin, task_id).responses
        sides = sides_store.get_sides(session, assignment_id)
        assert sides is not None and sides.shown_answer is not None
        assert (sides.chosen_id, sides.shown_answer["preference"]["choice"]) == (chosen_id, "B")
    preference = response.answer["preference"]
    assert preference["choice"] == "AB"[task_order.index(chosen_id)]
    assert preference["strength"] == 3
    assert preference["reason"] == "B gives a concrete plan; A is a slogan."
    flipped = task_order.index(chosen_id) == 0
    assert preference["axes"]["helpfulness"] == {"choice": "A" if flipped else "B", "strength": 1}
    assert preference["axes"]["honesty"] == {"choice": "tie"}
