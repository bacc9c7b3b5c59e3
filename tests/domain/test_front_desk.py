"""The front desk follows every repair: its morning digest, re-routing a job, and the workload the
dispatch card shows. R-0001 (Alice's leak, engineering) was reported on Monday 21 September 2026
at 10:00; the office works Monday to Friday 09:00-18:00 with the mainland's public holidays."""

from __future__ import annotations

from sqlalchemy import select

from handlers.repairs.policy import repair_policy
from storage.models import Event

from .harness import (
    ALICE,
    ENGINEERING,
    FRONT_DESK,
    LI,
    SUN,
    ZHOU,
    Estate,
    estate_config,
    finish_job,
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


async def reroute(estate: Estate, who=LI, department: str = "Front desk") -> None:
    """Re-route on the card in engineering's group, then the private form."""
    toast = await estate.tap(who, "Re-route", chat=ENGINEERING)
    assert not toast.alert and "private message" in toast.text, toast
    options = [label for row in (await estate.last(who)).buttons for label in row]
    assert options == ["Front desk"], options  # not where it is, never the managers' group
    await estate.tap(who, department)
    await estate.send(who, "A blocked shared drain: the cleaning contractor's job, not ours.")
    await estate.tap(who, "Submit")


async def test_the_front_desk_re_routes_a_job_and_the_card_moves_with_its_reason(job: Estate):
    mark = await job.mark()
    await reroute(job)

    old = (await job.messages(ENGINEERING))[0]
    assert old.buttons == []
    assert "Moved to Front desk by Li Na: A blocked shared drain" in old.text
    (new,) = [m for m in await job.messages(FRONT_DESK, after=mark) if "R-0001" in m.text]
    assert "Moved here from Engineering: A blocked shared drain" in new.text
    assert new.buttons == [["Accept"], ["Re-route"]]
    assert "R-0001 moved to Front desk" in (await job.last(LI)).text

    ticket = await job.ticket("repair")
    assert (ticket.status, ticket.department_key, ticket.card_outbox_id) == (
        "open",
        "front_desk",
        new.id,
    )
    async with job.db.uow(job.estate_id) as uow:
        (event,) = await uow.session.scalars(select(Event).where(Event.action == "repair.rerouted"))
    assert event.actor_user_id == LI.id
    assert event.data["from"] == "engineering" and event.data["to"] == "front_desk"
    assert event.data["reason"].startswith("A blocked shared drain")
    told = await job.texts(ALICE, after=mark)
    assert told == [
        "R-0001: your request has been passed to Front desk, who will handle it from here."
    ]
    assert set(await job.pending("repair.")) == {"repair.accept_sla"}


async def test_a_supervisor_re_routes_an_accepted_job_which_waits_to_be_accepted_again(job: Estate):
    await job.tap(ZHOU, "Accept", chat=ENGINEERING)
    await reroute(job, SUN)
    ticket = await job.ticket("repair")
    assert (ticket.status, ticket.assignee_user_id, ticket.department_key) == (
        "open",
        None,
        "front_desk",
    )
    assert set(await job.pending("repair.")) == {"repair.accept_sla"}  # no visit window now


async def test_a_technician_and_a_stale_button_are_refused_and_change_nothing(job: Estate):
    toast = await job.tap(ZHOU, "Re-route", chat=ENGINEERING)
    assert toast.alert and "Only the front desk or a supervisor" in toast.text
    card = (await job.messages(ENGINEERING))[0]
    stale = next(d for row in card.callback_data for d in row if "rep.reroute" in d)
    await job.tap(ZHOU, "Accept", chat=ENGINEERING)
    await finish_job(job, ZHOU)

    toast = await job.tap_data(LI, stale, chat=ENGINEERING)  # the job is done now
    assert toast.alert and "R-0001" in toast.text
    toast = await job.tap_data(LI, stale.replace("|1", "|99"), chat=ENGINEERING)
    assert toast.alert and "does not exist" in toast.text
    ticket = await job.ticket("repair")
    assert (ticket.status, ticket.department_key) == ("done", "engineering")
    async with job.db.uow(job.estate_id) as uow:
        moved = await uow.session.scalars(select(Event).where(Event.action == "repair.rerouted"))
        assert list(moved) == []
