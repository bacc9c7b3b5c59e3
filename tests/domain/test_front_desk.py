"""The front desk follows every repair: its morning digest, and the workload the dispatch card
shows. R-0001 (Alice's leak, engineering) was reported on Monday 21 September 2026
at 10:00; the office works Monday to Friday 09:00-18:00 with the mainland's public holidays."""

from __future__ import annotations

from handlers.repairs.policy import repair_policy

from .harness import (
    ALICE,
    ENGINEERING,
    FRONT_DESK,
    ZHOU,
    Estate,
    estate_config,
    local,
    report_repair,
)

DIGEST = "desk.repair_digest"


async def digests(estate: Estate) -> list[str]:
    """The front desk's digests so far (the harness keeps scheduled messages apart)."""
    return [t for t in await estate.texts(FRONT_DESK, reports=True) if "☀️ Repairs" in t]


def test_the_digest_comes_at_half_past_eight_on_working_days_only():
    policy = repair_policy(estate_config())
    thursday = local(2026, 9, 24, 9, 0)
    assert policy.next_digest(local(2026, 9, 24, 8, 0)) == local(2026, 9, 24, 8, 30)
    # Friday 25 September is the Mid-Autumn Festival, then the weekend.
    assert policy.next_digest(thursday) == local(2026, 9, 28, 8, 30)
    # The National Day holidays (1-7 October 2026) pass without one.
    assert policy.next_digest(local(2026, 9, 30, 8, 30)) == local(2026, 10, 8, 8, 30)
    every_day = repair_policy(
        estate_config(repairs='digest_at = "07:45"\ndigest_on_days_off = true')
    )
    assert every_day.next_digest(thursday) == local(2026, 9, 25, 7, 45)


async def test_the_morning_digest_counts_open_jobs_by_state_and_age_oldest_first(job: Estate):
    assert (await job.pending("desk."))[DIGEST] == local(2026, 9, 22, 8, 30)
    await job.tap(ZHOU, "Accept", chat=ENGINEERING)
    job.clock.advance(hours=2)  # 12:00
    assert await report_repair(job, ALICE, urgent=True) == "R-0002"

    await job.wait_until(local(2026, 9, 22, 8, 29))
    assert await digests(job) == []
    await job.wait_until(local(2026, 9, 22, 8, 30))
    (digest,) = await digests(job)
    assert digest.splitlines() == [
        "☀️ Repairs, Tue, Sep 22: 2 open jobs",
        "waiting to be accepted: 1",
        "accepted: 1",
        "Under a day old: 2",
        "Oldest first:",
        "Engineering · R-0001: accepted, 22 h old, Zhou Qiang",
        "Engineering · 🚨 R-0002: waiting to be accepted, 20 h old, nobody yet",
    ]
    assert (await job.pending("desk."))[DIGEST] == local(2026, 9, 23, 8, 30)

    await job.wait_until(local(2026, 9, 28, 8, 30))  # none on the holiday and the weekend
    assert len(await digests(job)) == 4
    assert "Over 3 days old: 2" in (await digests(job))[-1]
    assert (await job.pending("desk."))[DIGEST] == local(2026, 9, 29, 8, 30)


async def test_the_card_shows_each_technicians_open_jobs_when_it_is_posted(job: Estate):
    card = (await job.messages(ENGINEERING))[0].text
    assert "Open jobs: Qian Wei 0 · Zhou Qiang 0" in card  # fewest first
    await job.tap(ZHOU, "Accept", chat=ENGINEERING)
    assert "Open jobs" not in (await job.messages(ENGINEERING))[0].text  # taken: no longer asked

    assert await report_repair(job, ALICE, description="The bathroom tap drips all night.")
    second = (await job.messages(ENGINEERING))[-1].text
    assert "R-0002" in second and "Open jobs: Qian Wei 0 · Zhou Qiang 1" in second
    # The first card was not edited for R-0002: edits of a group's cards are rate-limited.
    assert "Open jobs" not in (await job.messages(ENGINEERING))[0].text
