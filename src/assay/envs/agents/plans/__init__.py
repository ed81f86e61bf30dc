"""The reference agent's written plans for every bundled task, by task id."""

from __future__ import annotations

from assay.envs.agents.plans import engineering, finance_operations, support_hiring
from assay.envs.agents.reference import Plan

PLANS: dict[str, Plan] = {**engineering.PLANS, **support_hiring.PLANS, **finance_operations.PLANS}
