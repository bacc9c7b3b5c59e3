"""The front desk's long lists stay within Telegram's 4,096 characters in both languages: the
morning digest names the oldest jobs and counts the rest, /queue pages every department's."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from bot.render import TEXT_LIMIT, Renderer, visible_length
from handlers.config import example_config_text, load_estate_config_text
from handlers.repairs.digest import LISTED, digest
from handlers.repairs.policy import repair_policy
from handlers.repairs.views import every_department
from storage.models import Department, Ticket

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 22, 8, 30, tzinfo=ZONE)
RENDERER = Renderer(ZONE)
POLICY = repair_policy(load_estate_config_text(example_config_text()))
DEPARTMENTS = ("engineering", "cleaning", "security")


class People:
    async def department(self, key: str) -> Department:
        return Department(key=key, name=f"{key.title()} department of the estate", chat_id=-1)


def many_jobs(count: int) -> list[Ticket]:
    """`count` open jobs, the newest first, each held by someone with a long name."""
    return [
        Ticket(
            kind="repair",
            number=n,
            status=("open", "accepted", "done")[n % 3],
            department_key=DEPARTMENTS[n % 3],
            urgent=n % 5 == 0,
            created_at=NOW - timedelta(hours=n * 7),
            details={"assignee_name": "Ouyang Xiaoming-Alexandra the Second"} if n % 3 else {},
        )
        for n in range(1, count + 1)
    ]


def rendered(body: dict, language: str) -> str:
    return RENDERER.text(language, body, limit=10**6)  # not capped: as long as it really is


@pytest.mark.parametrize("language", ["en", "zh_Hans"])
async def test_a_long_digest_names_the_oldest_jobs_and_counts_the_rest(language: str):
    uow = SimpleNamespace(now=NOW)
    body = await digest(uow, POLICY, many_jobs(200))  # type: ignore[arg-type]
    said = rendered(body, language)
    assert visible_length(said) <= TEXT_LIMIT, visible_length(said)
    assert "R-0200" in said and "R-0001" not in said  # the oldest first, the newest left out
    assert str(200 - LISTED) in said.splitlines()[-1]  # "…and 175 more"


@pytest.mark.parametrize("language", ["en", "zh_Hans"])
async def test_the_front_desks_queue_of_every_department_comes_in_pages(language: str):
    uow = SimpleNamespace(now=NOW, people=People())
    bodies = await every_department(uow, many_jobs(200))  # type: ignore[arg-type]
    assert len(bodies) > 1
    for body in bodies:
        said = rendered(body, language)
        assert visible_length(said) <= TEXT_LIMIT, visible_length(said)
    every = "\n".join(rendered(body, language) for body in bodies)
    assert all(f"R-{n:04d}" in every for n in range(1, 201))
