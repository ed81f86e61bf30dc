"""The workbench in headless Chromium: workers, reviewers and operations, keyboard first."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from assay.services import tasks as task_service
from assay.store.models import Response
from tests.web import seed
from tests.web.conftest import WebEnv, browser_login

pytestmark = pytest.mark.browser


def shot(page: Any, artifacts_dir: Path, name: str) -> None:
    """A full-page screenshot from the top (so the sticky header sits where it belongs)."""
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts_dir / f"{name}.png"), full_page=True)


def responses_of(env: WebEnv, org: seed.Org, project_id: str) -> list[Response]:
    with env.factory() as session:
        project_tasks = task_service.list_tasks(
            session, org.admin, project_id, state=None, batch_id=None, after_id=None, limit=100
        )
        return [
            response
            for task in project_tasks
            for response in task_service.task_record(session, org.admin, task.id).responses
        ]


def start_project(page: Any, name: str) -> None:
    page.goto("/queue")
    page.locator("li.project", has=page.locator("h3", has_text=name)).get_by_role(
        "button", name="Start"
    ).click()
    page.wait_for_url(re.compile(r"/work/asg_"))
    page.wait_for_selector(".question.current")


def submit_by_keyboard(page: Any) -> None:
    """Submit with Ctrl+Enter and wait for the next page (another task, or back)."""
    before = page.url
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: url != before)


QUALIFICATION_ITEMS = [
    ({"review": "Absolutely love it, works perfectly every morning."}, {"sentiment": "positive"}),
    ({"review": "Broke after two days. Never buying this brand again."}, {"sentiment": "negative"}),
    ({"review": "It is a blender. It blends things."}, {"sentiment": "neutral"}),
]


def seed_worker_world(env: WebEnv) -> tuple[seed.Org, dict[str, str]]:
    org = seed.new_org(env.factory)
    seed.add_account(org, "wendy")
    needs = {"required_skills": ["sentiment"], "pay_per_task_cents": 150}
    image = seed.upload_image(org, env.settings)
    ids = {
        "qualification": seed.add_qualification(
            org,
            "Sentiment basics",
            "sentiment",
            seed.SENTIMENT,
            QUALIFICATION_ITEMS,
            min_accuracy=0.6,
        ),
        "pairwise": seed.add_project(
            org,
            "Chatbot preference",
            seed.PAIRWISE,
            [
                {
                    "conversation": [{"role": "user", "content": "How do I boil an egg?"}],
                    "responses": [
                        {
                            "id": "a",
                            "content": "Simmer it for **9 minutes**, then cool it in cold water.",
                        },
                        {
                            "id": "b",
                            "content": "Microwave it for 5 minutes.\n\n```python\nboil(egg)\n```",
                        },
                    ],
                }
            ],
            **needs,
        ),
        "spans": seed.add_project(
            org,
            "Entity spans",
            seed.SPANS,
            [{"text": "Ada Lovelace met Charles Babbage in London."}],
            **needs,
        ),
        "boxes": seed.add_project(org, "Street boxes", seed.BOXES, [{"image": image}], **needs),
        "writing": seed.add_project(
            org,
            "Helpful writing",
            seed.WRITING,
            [{"instruction": "Explain **recursion** to a ten-year-old in two sentences."}],
            **needs,
        ),
        "ranking": seed.add_project(
            org,
            "Rank summaries",
            seed.RANKING,
            [
                {
                    "prompt": "Summarise *Hamlet* in one sentence.",
                    "responses": [
                        {"content": "Hamlet is a play."},
                        {"content": "A Danish prince avenges his father; nearly everyone dies."},
                        {"content": "A prince feigns madness to expose his uncle."},
                    ],
                }
            ],
            **needs,
        ),
        "rubric": seed.add_project(
            org,
            "Grade code",
            seed.RUBRIC,
            [
                {
                    "task": "Write `mean(xs)`: the average, or 0 for an empty list.",
                    "solution": (
                        "def mean(xs):\n    # average\n    return sum(xs) / len(xs) if xs else 0\n"
                    ),
                }
            ],
            **needs,
        ),
        "rating": seed.add_project(
            org, "Rate replies", seed.RATING, [{"reply": "11 is a prime number above 10."}], **needs
        ),
        "locked": seed.add_project(
            org,
            "Contract review",
            seed.SENTIMENT,
            [{"review": "Clause 4 is void."}],
            required_skills=["law.contracts:expert"],
        ),
    }
    return org, ids


def take_qualification(page: Any, artifacts_dir: Path, test_id: str) -> None:
    page.goto("/qualifications")
    shot(page, artifacts_dir, "04-qualifications")
    page.get_by_role("link", name="Take the test").click()
    page.get_by_role("button", name="Start the test").click()
    page.wait_for_selector(".question.current")
    shot(page, artifacts_dir, "05-qualification-task")
    # Right, wrong (a gold miss), right: 2 of 3 passes a 60% bar.
    for key in ("1", "1", "2"):
        page.wait_for_selector(".question.current")
        page.keyboard.press(key)
        submit_by_keyboard(page)
    page.wait_for_url(re.compile(rf"/qualifications/{test_id}"))
    outcome = page.locator("#test-outcome")
    assert "Passed" in outcome.inner_text()
    assert "sentiment" in outcome.inner_text()
    shot(page, artifacts_dir, "06-qualification-passed")


def test_worker_qualifies_works_every_question_type_and_sees_gold_feedback(
    new_page: Any, live_env: WebEnv, artifacts_dir: Path
) -> None:
    org, ids = seed_worker_world(live_env)
    page = new_page()
    page.goto("/queue")
    assert "/login" in page.url
    shot(page, artifacts_dir, "01-login")
    browser_login(page, org.email("wendy"), seed.PASSWORD)
    shot(page, artifacts_dir, "02-queue-before-qualifying")
    locked = page.locator("li.project", has=page.locator("h3", has_text="Contract review"))
    assert locked.get_by_role("button", name="Start").count() == 0

    take_qualification(page, artifacts_dir, ids["qualification"])

    page.goto("/quality")
    miss = page.locator("[data-miss]")
    assert miss.count() == 1
    assert "Broke after two days" in miss.inner_text()
    assert miss.locator("[data-yours] [aria-checked=true]").inner_text().endswith("Positive")
    assert miss.locator("[data-expected] [aria-checked=true]").inner_text().endswith("Negative")
    assert "overall" in miss.locator(".from-guideline").inner_text()
    shot(page, artifacts_dir, "07-gold-miss-feedback")

    page.goto("/queue")
    shot(page, artifacts_dir, "08-queue-qualified")
    work_every_type(page, artifacts_dir)

    answers = {name: responses_of(live_env, org, ids[name]) for name in ids if name != "locked"}
    pairwise = answers["pairwise"][0].answer["preference"]
    assert pairwise == {"choice": "A", "strength": 3, "axes": {"honesty": {"choice": "tie"}}}
    assert answers["spans"][0].answer["entities"] == [
        {"start": 0, "end": 12, "label": "PER"},
        {"start": 36, "end": 42, "label": "LOC"},
    ]
    boxes = answers["boxes"][0].answer["objects"]
    assert sorted(b["label"] for b in boxes) == ["blue", "red"]
    writing = answers["writing"][0]
    assert writing.telemetry["paste_count"] == 1
    assert writing.telemetry["keystrokes"] >= 20
    assert writing.active_time_ms is not None and writing.active_time_ms > 0
    assert answers["ranking"][0].answer["order"] == [1, 0, 2]
    assert answers["rubric"][0].answer["grade"] == {
        "correct": True,
        "edge_cases": True,
        "unsafe": False,
    }
    assert answers["rating"][0].answer == {"quality": 4, "errors": 0}

    page.goto("/earnings?period=day")
    assert (
        "$10.50" in page.locator(".stats").inner_text()
    )  # 7 paid tasks at $1.50, 3 unpaid test answers
    shot(page, artifacts_dir, "16-earnings")
    csv = page.request.get("/earnings.csv?period=day")
    assert csv.ok and csv.text().splitlines()[1].split(",")[1:3] == ["10", "10.50"]


def work_every_type(page: Any, artifacts_dir: Path) -> None:
    start_project(page, "Chatbot preference")
    page.keyboard.press("a")
    page.keyboard.press("3")
    page.keyboard.press("t")
    assert page.locator(".response-card.chosen").inner_text().startswith("Response A")
    shot(page, artifacts_dir, "09-task-pairwise")
    submit_by_keyboard(page)

    start_project(page, "Entity spans")
    for key in ("ArrowRight", "Shift+ArrowRight", "1"):
        page.keyboard.press(key)
    page.locator(".span-text .piece", has_text="London").dblclick()
    page.keyboard.press("2")
    assert page.locator(".chip").count() == 2
    shot(page, artifacts_dir, "10-task-spans")
    submit_by_keyboard(page)

    start_project(page, "Street boxes")
    stage = page.locator(".box-layer")
    stage.wait_for()
    area = stage.bounding_box()
    page.mouse.move(area["x"] + area["width"] * 0.1, area["y"] + area["height"] * 0.25)
    page.mouse.down()
    page.mouse.move(area["x"] + area["width"] * 0.5, area["y"] + area["height"] * 0.7, steps=5)
    page.mouse.up()
    for key in ("n", "2", "ArrowRight", "ArrowRight", "Shift+ArrowDown"):
        page.keyboard.press(key)
    assert page.locator(".box").count() == 2
    shot(page, artifacts_dir, "11-task-boxes")
    submit_by_keyboard(page)

    start_project(page, "Helpful writing")
    box = page.locator("textarea.text-answer")
    box.press_sequentially("Recursion is when")
    page.evaluate(
        """() => {
            const area = document.querySelector('textarea.text-answer');
            const data = new DataTransfer();
            data.setData('text/plain', ' a thing uses itself');
            area.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true}));
            area.value += ' a thing uses itself';
            area.dispatchEvent(new Event('input', {bubbles: true}));
        }"""
    )
    box.press_sequentially(", like nesting dolls.")
    assert "ok" in (page.locator(".counter").get_attribute("class") or "")
    shot(page, artifacts_dir, "12-task-writing")
    submit_by_keyboard(page)

    start_project(page, "Rank summaries")
    for key in ("ArrowDown", "Shift+ArrowUp", "Enter"):
        page.keyboard.press(key)
    shot(page, artifacts_dir, "13-task-ranking")
    submit_by_keyboard(page)

    start_project(page, "Grade code")
    for key in ("1", "2", "ArrowDown", "n"):
        page.keyboard.press(key)
    assert "Score: 7 of 7" in page.locator(".rubric-score").inner_text()
    shot(page, artifacts_dir, "14-task-rubric")
    submit_by_keyboard(page)

    start_project(page, "Rate replies")
    page.keyboard.press("4")
    page.keyboard.type("0")
    shot(page, artifacts_dir, "15-task-rating")
    submit_by_keyboard(page)


def test_reviewer_rejects_and_the_author_redoes_the_work(
    new_page: Any, live_env: WebEnv, artifacts_dir: Path
) -> None:
    org = seed.new_org(live_env.factory)
    seed.add_account(org, "wes")
    seed.add_account(org, "rita", role="reviewer")
    policy = {"stages": [{"name": "review", "sample_rate": 1.0, "on_reject": "rework"}]}
    project_id = seed.add_project(
        org,
        "Support answers",
        seed.WRITING,
        [{"instruction": "A customer asks how to reset their password. Answer them."}],
        review_policy=policy,
        pay_per_task_cents=200,
    )
    author = new_page()
    browser_login(author, org.email("wes"), seed.PASSWORD)
    start_project(author, "Support answers")
    author.locator("textarea.text-answer").press_sequentially("Click the reset link, done.")
    submit_by_keyboard(author)

    reviewer = new_page()
    browser_login(reviewer, org.email("rita"), seed.PASSWORD)
    reviewer.goto("/review")
    shot(reviewer, artifacts_dir, "17-review-queue")
    reviewer.get_by_role("button", name="Start reviewing").click()
    reviewer.wait_for_selector("#accept-button")
    assert "Click the reset link" in reviewer.locator("textarea.text-answer").input_value()
    reviewer.keyboard.press("x")
    reviewer.keyboard.type("Say where the link is: Settings, then Security.")
    shot(reviewer, artifacts_dir, "18-review-reject")
    before = reviewer.url
    reviewer.keyboard.press("Control+Enter")
    reviewer.wait_for_url(lambda url: url != before)
    assert "Nothing is waiting for review" in reviewer.locator(".notice").inner_text()
    assert [r.status for r in responses_of(live_env, org, project_id)] == ["rejected"]

    author.goto("/queue")
    rework = author.locator("tr.rework")
    assert "Settings, then Security" in rework.inner_text()
    shot(author, artifacts_dir, "19-queue-rework")
    rework.get_by_role("link", name="Resume").click()
    author.wait_for_selector("#rework-banner")
    box = author.locator("textarea.text-answer")
    assert box.input_value() == "Click the reset link, done."
    box.press("End")
    box.press_sequentially(" It is under Settings > Security > Reset password.")
    shot(author, artifacts_dir, "20-task-rework")
    submit_by_keyboard(author)

    reviewer.get_by_role("button", name="Start reviewing").click()
    reviewer.wait_for_selector("#accept-button")
    reviewer.keyboard.press("Control+Enter")
    reviewer.wait_for_url(re.compile(r"/review\?notice="))
    statuses = [r.status for r in responses_of(live_env, org, project_id)]
    assert statuses == ["rejected", "accepted"]


XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'


def test_script_in_a_task_payload_is_shown_as_text(
    new_page: Any, live_env: WebEnv, artifacts_dir: Path
) -> None:
    org = seed.new_org(live_env.factory)
    seed.add_account(org, "xena")
    template = {
        "fields": [
            {"kind": "text", "name": "plain"},
            {"kind": "markdown", "name": "rich"},
            {"kind": "code", "name": "snippet", "language": "javascript"},
            {"kind": "chat", "name": "chat"},
            {"kind": "model_responses", "name": "responses", "max_responses": 2},
        ],
        "questions": [
            {
                "type": "label",
                "name": "safe",
                "prompt": f"Is this safe? {XSS}",
                "options": [{"value": "yes", "label": XSS}, {"value": "no"}],
            }
        ],
    }
    payload = {
        "plain": XSS,
        "rich": f"# Title {XSS}\n\n[click me](javascript:window.__xss=3) and {XSS}\n\n"
        "![pixel](https://tracker.invalid/p.png)",
        "snippet": f"</script><script>window.__xss = 4</script>{XSS}",
        "chat": [{"role": "user<img src=x onerror=window.__xss=5>", "content": XSS}],
        "responses": [{"content": XSS}, {"content": "<svg onload=window.__xss=6></svg>"}],
        "extra": XSS,
    }
    seed.add_project(org, f"XSS {XSS}", template, [payload])
    page = new_page()
    browser_login(page, org.email("xena"), seed.PASSWORD)
    start_project(page, "XSS")
    page.wait_for_timeout(300)  # give any injected handler time to fire
    assert page.evaluate("window.__xss") is None
    assert new_page.seen.dialogs == []
    assert page.locator("img[src=x], svg[onload], script:not([src]):not([type])").count() == 0
    assert page.locator(".field-text .plain-text").inner_text() == XSS
    rich = page.locator(".field-markdown").inner_text()
    assert "<script>window." in rich and '<img src=x onerror="window.' in rich  # __ is bold
    links = page.locator(".field-markdown a")
    assert links.count() == 1  # the image, as a plain link; the javascript: link is text
    assert links.get_attribute("href") == "https://tracker.invalid/p.png"
    assert page.locator(".field-markdown img").count() == 0
    assert XSS in page.locator("h1").inner_text()
    assert XSS in page.locator(".question .choice").first.inner_text()
    shot(page, artifacts_dir, "21-xss-shown-as-text")


def test_a_draft_is_restored_on_another_device(
    new_page: Any, live_env: WebEnv, artifacts_dir: Path
) -> None:
    org = seed.new_org(live_env.factory)
    seed.add_account(org, "dora")
    seed.add_project(org, "Long writing", seed.WRITING, [{"instruction": "Describe a sunset."}])
    laptop = new_page()
    browser_login(laptop, org.email("dora"), seed.PASSWORD)
    start_project(laptop, "Long writing")
    laptop.locator("textarea.text-answer").press_sequentially("The sky turns amber and")
    laptop.keyboard.press("Control+s")
    laptop.locator("#save-state", has_text="Draft saved").wait_for()
    task_url = laptop.url.split("?")[0]

    phone = new_page()
    browser_login(phone, org.email("dora"), seed.PASSWORD)
    lease = phone.locator("table.table tbody tr", has_text="Long writing")
    assert "draft saved" in lease.inner_text()
    shot(phone, artifacts_dir, "22-queue-resume")
    lease.get_by_role("link", name="Resume").click()
    phone.wait_for_url(task_url)
    assert phone.locator("textarea.text-answer").input_value() == "The sky turns amber and"
    # Skip it after all, without the mouse: leave the text box, S, a reason, Enter.
    for key in ("Escape", "s", "3"):
        phone.keyboard.press(key)
    assert phone.locator("#skip-dialog input[value=expertise]").is_checked()
    shot(phone, artifacts_dir, "23-skip-dialog")
    phone.keyboard.press("Enter")
    phone.wait_for_url(re.compile(r"/queue\?notice=done"))
    assert phone.locator("table.table").count() == 0  # no unfinished work left


def test_operations_watch_progress_answer_questions_and_manage_workers(
    new_page: Any, live_env: WebEnv, artifacts_dir: Path
) -> None:
    from assay.services import guideline_questions, submissions, work

    org = seed.new_org(live_env.factory)
    seed.add_account(org, "wade")
    project_id = seed.add_project(
        org,
        "Review sentiment",
        seed.SENTIMENT,
        [{"review": f"Review number {i}"} for i in range(5)],
        pay_per_task_cents=125,
    )
    wade = seed.worker_actor(org, "wade")
    with live_env.factory() as session:
        for answer in ("positive", "negative"):
            lease = work.claim_next(session, wade, project_id)
            submissions.submit_response(
                session, wade, lease.assignment.id, {"sentiment": answer}, active_time_ms=45_000
            )
        guideline_questions.ask_question(
            session, wade, project_id, "Is sarcasm positive or negative?"
        )

    ops = new_page()
    browser_login(ops, org.email("ops"), seed.PASSWORD)
    assert ops.url.endswith("/ops")
    assert "Review sentiment" in ops.locator(".project-progress").inner_text()
    shot(ops, artifacts_dir, "24-ops-projects")
    ops.get_by_role("link", name="Review sentiment").click()
    assert ops.locator("svg.chart rect.bar").count() == 14
    ops.get_by_label("Answer to: Is sarcasm positive or negative?").fill(
        "Label what the writer means: sarcastic praise is negative."
    )
    shot(ops, artifacts_dir, "25-ops-project-progress")
    ops.get_by_role("button", name="Publish answer").click()
    assert "Answer published" in ops.locator(".notice").inner_text()

    worker = new_page()
    browser_login(worker, org.email("wade"), seed.PASSWORD)
    start_project(worker, "Review sentiment")
    answered = worker.locator(".qa-list li.answered")
    assert "sarcastic praise is negative" in answered.inner_text()
    shot(worker, artifacts_dir, "26-task-guideline-answer")

    ops.goto("/ops/workers")
    row = ops.locator("table.roster tr", has_text="wade")
    assert "2" in row.locator("td.num").first.inner_text()
    shot(ops, artifacts_dir, "27-ops-roster")
    row.get_by_role("link", name="wade").click()
    ops.get_by_label("Locales (BCP 47, comma separated)").fill("es-AR, en")
    ops.get_by_label("Timezone").fill("America/Argentina/Buenos_Aires")
    ops.get_by_role("button", name="Add a skill").click()
    ops.locator("input[name=skill_path]").last.fill("coding.python")
    ops.locator("select[name=skill_level]").last.select_option("expert")
    ops.get_by_role("button", name="Add a credential").click()
    ops.locator("input[name=cred_name]").last.fill("BSc Computer Science")
    ops.locator("input[name=cred_year]").last.fill("2019")
    shot(ops, artifacts_dir, "28-ops-worker-profile")
    ops.get_by_role("button", name="Save profile").click()
    assert "Saved" in ops.locator(".notice").inner_text()
    assert ops.locator("input[name=cred_name]").input_value() == "BSc Computer Science"
    ops.locator("#status-form select[name=status]").select_option("paused")
    ops.locator("#status-form input[name=reason]").fill("On leave for a month")
    ops.get_by_role("button", name="Change status").click()
    ops.goto("/ops/workers")
    row = ops.locator("table.roster tr", has_text="wade")
    assert "coding.python · expert" in row.inner_text()
    assert "paused" in row.inner_text() and "es-AR" in row.inner_text()

    ops.goto("/ops/payments")
    assert "$2.50" in ops.locator("table").inner_text()
    shot(ops, artifacts_dir, "29-ops-payments")
    export = ops.request.get("/ops/payments.csv")
    assert export.ok and "wade,2,2.50" in export.text()


def test_a_reviewer_edits_and_grades_with_the_projects_rubric(
    new_page: Any, live_env: WebEnv, artifacts_dir: Path
) -> None:
    from assay.services import submissions, work

    org = seed.new_org(live_env.factory)
    seed.add_account(org, "gil")
    seed.add_account(org, "rob", role="reviewer")
    policy = {"stages": [{"name": "audit", "sample_rate": 1.0, "on_reject": "reassign"}]}
    project_id = seed.add_project(
        org,
        "Grade solutions",
        seed.RUBRIC,
        [{"task": "Write `mean(xs)`.", "solution": "def mean(xs):\n    return eval('0')\n"}],
        review_policy=policy,
    )
    gil = seed.worker_actor(org, "gil")
    with live_env.factory() as session:
        lease = work.claim_next(session, gil, project_id)
        graded = {"correct": True, "edge_cases": True, "unsafe": False}
        submissions.submit_response(session, gil, lease.assignment.id, {"grade": graded})

    page = new_page()
    browser_login(page, org.email("rob"), seed.PASSWORD)
    page.goto("/review")
    page.locator("li.project", has_text="Grade solutions").get_by_role("button").click()
    page.wait_for_selector("#review-rubric:not([hidden])")
    # Edit the author's grade: the solution does use eval.
    for key in ("e", "ArrowDown", "ArrowDown", "y"):
        page.keyboard.press(key)
    # Then grade the response with the rubric.
    for key in ("g", "1", "2", "ArrowDown", "y"):
        page.keyboard.press(key)
    assert "Score: 4 of 7" in page.locator("#review-rubric .rubric-score").inner_text()
    shot(page, artifacts_dir, "30-review-edit-and-grade")
    before = page.url
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: url != before)

    with live_env.factory() as session:
        task_id = responses_of(live_env, org, project_id)[0].task_id
        record = task_service.task_record(session, org.admin, task_id)
    response = record.responses[0]
    review = record.reviews[response.id][0]
    assert response.status == "accepted"
    assert response.reviewed_answer == {
        "grade": {"correct": True, "edge_cases": True, "unsafe": True}
    }
    assert review.verdict == "accept" and review.score == 4.0
