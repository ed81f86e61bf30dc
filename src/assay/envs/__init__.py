"""RL environments built from real workflows: universes, tools, faults, tasks, episodes, graders.

In-process use::

    from assay.envs import Episode, ReferenceAgent, get_task

    episode = Episode(get_task("eng-incident-notice"), faults=True, seed=0)
    episode.step("chat_post", {"channel": "#incidents", "text": "ENG-110: investigating"})
    print(episode.grade().score)

The same episodes are served over Gymnasium (``assay.envs.gym_env``), HTTP
(``assay.envs.http_server``) and MCP (``python -m assay.envs.mcp_server``). Importing this package
pulls in neither Gymnasium nor MCP.
"""

from __future__ import annotations

from assay.envs.agents import Agent, RandomAgent, ReferenceAgent, run_task, run_tasks
from assay.envs.agents.model import ModelAgent
from assay.envs.agents.openai_client import ChatClient
from assay.envs.checks import Evidence
from assay.envs.episode import Episode, EpisodeResult, StepRecord, replay
from assay.envs.export import export_jsonl, to_chat
from assay.envs.faults import FaultInjector, ScheduledEvent
from assay.envs.generate import build_universe, initial_universe, load_universe
from assay.envs.grading import Grade, grade
from assay.envs.metrics import (
    SetMetrics,
    TaskMetrics,
    pass_at_k,
    pass_hat_k,
    robustness_ratio,
    summarise,
)
from assay.envs.tasks import Task, bundled_tasks, get_task, load_tasks
from assay.envs.tools import ALL_TOOLS, Tool
from assay.envs.universe import Clock, Universe, diff

__all__ = [
    "ALL_TOOLS",
    "Agent",
    "ChatClient",
    "Clock",
    "Episode",
    "EpisodeResult",
    "Evidence",
    "FaultInjector",
    "Grade",
    "ModelAgent",
    "RandomAgent",
    "ReferenceAgent",
    "ScheduledEvent",
    "SetMetrics",
    "StepRecord",
    "Task",
    "TaskMetrics",
    "Tool",
    "Universe",
    "build_universe",
    "bundled_tasks",
    "diff",
    "export_jsonl",
    "get_task",
    "grade",
    "initial_universe",
    "load_tasks",
    "load_universe",
    "pass_at_k",
    "pass_hat_k",
    "replay",
    "robustness_ratio",
    "run_task",
    "run_tasks",
    "summarise",
    "to_chat",
]
