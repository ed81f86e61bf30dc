"""The quality dashboards and the A/B report in a real browser, with screenshots to look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.quality_ops.pages_seed import PASSWORD, Seeded, seed_quality_history
from tests.web.conftest import WebEnv, browser_login


def shot(page: Any, artifacts_dir: Path, name: str) -> None:
    """A full-page screenshot from the top."""
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts_dir / f"{name}.png"), full_page=True)


def _seeded(env: WebEnv) -> Seeded:
    with env.factory() as session:
        return seed_quality_history(session)


def test_operations_read_the_dashboard_and_revert_an_action(
    live_env: WebEnv, new_page: Any, artifacts_dir: Path
) -> None:
    seeded = _seeded(live_env)
    page = new_page()
    browser_login(page, seeded.email, PASSWORD)
    page.goto(f"/ops/projects/{seeded.project_id}/quality")
    for chart in ("gold_accuracy", "agreement", "review_grade", "flagged_share"):
        svg = page.locator(f'[data-chart="{chart}"] svg')
        assert svg.count() == 1 and svg.bounding_box()["height"] > 60  # type: ignore[index]
    assert page.locator('[data-chart="gold_accuracy"] polygon.band').count() >= 1
    assert page.locator('[data-chart="gold_accuracy"] circle.dot').count() >= 5
    assert page.locator("#calibration svg").count() == 1
    shot(page, artifacts_dir, "quality-project-dashboard")
    revert = page.locator("button[data-revert]").first
    revert.click()
    page.wait_for_load_state()
    assert page.locator("#actions").get_by_text("reverted").count() >= 1
    page.goto(f"/ops/projects/{seeded.project_id}/quality?period=week")
    assert page.get_by_text("by week").count() >= 1
    page.goto(f"/ops/workers/{seeded.spammer_id}/quality")
    assert page.get_by_role("heading", name="Quality estimates").count() == 1
    shot(page, artifacts_dir, "quality-worker-ops")


def test_a_worker_sees_their_own_trend(
    live_env: WebEnv, new_page: Any, artifacts_dir: Path
) -> None:
    seeded = _seeded(live_env)
    page = new_page()
    browser_login(page, seeded.worker_email, PASSWORD)
    page.goto("/quality/trend")
    assert page.locator('[data-chart="gold_accuracy"] svg').count() == 1
    assert page.get_by_role("heading", name="Recent misses on known answers").count() == 1
    # Estimates are named by the project the worker knows, not by an internal key.
    estimates = page.locator("table.estimates").first
    assert estimates.get_by_text("Sentiment").count() >= 1
    assert estimates.get_by_text("project:").count() == 0
    shot(page, artifacts_dir, "quality-worker-own-trend")


def test_the_ab_report_shows_tests_and_promotes(
    live_env: WebEnv, new_page: Any, artifacts_dir: Path
) -> None:
    seeded = _seeded(live_env)
    page = new_page()
    browser_login(page, seeded.email, PASSWORD)
    page.goto(f"/ops/experiments/{seeded.experiment_id}")
    assert page.locator('[data-chart="variant-accuracy"] svg circle').count() == 2
    assert page.locator('[data-chart="variant-daily"] polygon.band').count() >= 2
    assert page.locator("#recommendation").count() == 1
    shot(page, artifacts_dir, "quality-ab-report")
    page.locator('button[data-promote="paid-more"]').click()
    page.wait_for_load_state()
    assert page.get_by_text("promoted").count() >= 1
