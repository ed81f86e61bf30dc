"""The quality pages over HTTP: what operations and a worker see, and what a lead can undo."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.quality_ops.pages_seed import PASSWORD, seed_quality_history
from tests.web.conftest import WebEnv, login


def test_the_project_dashboard_shows_charts_signals_and_revertible_actions(
    web_env: WebEnv, web_client: TestClient
) -> None:
    with web_env.factory() as session:
        seeded = seed_quality_history(session)
    csrf = login(web_client, seeded.email, PASSWORD)
    page = web_client.get(f"/ops/projects/{seeded.project_id}/quality")
    assert page.status_code == 200, page.text
    html = page.text
    for chart in (
        "gold_accuracy",
        "agreement",
        "review_grade",
        "flagged_share",
        "throughput",
        "cost",
    ):
        assert f'data-chart="{chart}"' in html
    assert 'class="band"' in html and "<polygon" in html  # confidence bands are drawn
    assert "spammer" in html and "Revert" in html
    weekly = web_client.get(f"/ops/projects/{seeded.project_id}/quality?period=week")
    assert "by week" in weekly.text
    action_id = html.split('data-revert="', 1)[1].split('"', 1)[0]
    back = f"/ops/projects/{seeded.project_id}/quality"
    undone = web_client.post(
        f"/ops/quality/actions/{action_id}/revert",
        data={"csrf_token": csrf, "back": back},
        follow_redirects=False,
    )
    assert undone.status_code == 303
    assert "reverted" in web_client.get(back).text
    forged = web_client.post(f"/ops/quality/actions/{action_id}/revert", data={"back": back})
    assert forged.status_code == 403


def test_worker_pages_show_estimates_trend_and_gold_misses(
    web_env: WebEnv, web_client: TestClient
) -> None:
    with web_env.factory() as session:
        seeded = seed_quality_history(session)
    login(web_client, seeded.email, PASSWORD)
    page = web_client.get(f"/ops/workers/{seeded.spammer_id}/quality")
    assert page.status_code == 200 and "combined" in page.text and "Gold misses" in page.text
    web_client.cookies.clear()
    login(web_client, seeded.worker_email, PASSWORD)
    own = web_client.get("/quality/trend")
    assert own.status_code == 200 and 'data-chart="gold_accuracy"' in own.text
    assert web_client.get(f"/ops/workers/{seeded.spammer_id}/quality").status_code == 403


def test_the_experiment_report_recommends_and_promotes(
    web_env: WebEnv, web_client: TestClient
) -> None:
    with web_env.factory() as session:
        seeded = seed_quality_history(session)
    csrf = login(web_client, seeded.email, PASSWORD)
    page = web_client.get(f"/ops/experiments/{seeded.experiment_id}")
    assert page.status_code == 200, page.text
    assert 'data-chart="variant-accuracy"' in page.text and "Recommendation" in page.text
    promoted = web_client.post(
        f"/ops/experiments/{seeded.experiment_id}/promote",
        data={"csrf_token": csrf, "variant": "paid-more"},
        follow_redirects=True,
    )
    assert "promoted" in promoted.text
