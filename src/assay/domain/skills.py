"""Skills with levels, and the rule for whether a worker's skills meet a requirement."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import IntEnum


class SkillLevel(IntEnum):
    """How well a worker knows a domain; higher satisfies lower."""

    NOVICE = 1
    INTERMEDIATE = 2
    ADVANCED = 3
    EXPERT = 4

    @classmethod
    def parse(cls, name: str) -> SkillLevel:
        """A level from its lower-case name."""
        try:
            return cls[name.upper()]
        except KeyError:
            names = ", ".join(level.name.lower() for level in cls)
            raise ValueError(f"unknown skill level {name!r}; use one of {names}") from None


LEVEL_NAMES = tuple(level.name.lower() for level in SkillLevel)


def split_requirement(requirement: str) -> tuple[str, SkillLevel]:
    """``"coding.python:expert"`` -> ("coding.python", EXPERT); no level means novice."""
    path, _, level = requirement.partition(":")
    return path, SkillLevel.parse(level) if level else SkillLevel.NOVICE


def meets_requirements(skills: Mapping[str, str], requirements: Iterable[str]) -> bool:
    """The worker holds every required skill at the required level or above."""
    for requirement in requirements:
        path, wanted = split_requirement(requirement)
        held = skills.get(path)
        if held is None or SkillLevel.parse(held) < wanted:
            return False
    return True


def speaks_any(worker_locales: Iterable[str], wanted: Iterable[str]) -> bool:
    """True when no locale is wanted, or the worker has one (``es`` matches ``es-AR`` both ways)."""
    wanted_set = set(wanted)
    if not wanted_set:
        return True
    for locale in worker_locales:
        for target in wanted_set:
            if locale == target or locale.split("-")[0] == target or target.split("-")[0] == locale:
                return True
    return False
