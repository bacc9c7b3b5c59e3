"""Every move of the complaint lifecycle, as the people involved see it and as the ticket
records it.

new -triage-> open (major, important or minor); new -claim_invalid-> explaining -explain-> invalid;
open -resolve-> resolved -satisfied-> closed; resolved -unsatisfied-> open. The estate opens on
Monday 21 September 2026 at 10:00, Alice complains at once and Li Na triages at 10:05.
"""

from __future__ import annotations

import pytest

from .conftest import OpenEstate
from .harness import (
    ALICE,
    BOB,
    FRONT_DESK,
    LI,
    MANAGERS,
    SUN,
    Estate,
    Person,
    estate_config,
    file_complaint,
    local,
    owner_form,
    register,
    start_staff,
)

TRIAGED_AT = local(2026, 9, 21, 10, 5)


@pytest.fixture
async def complaint(complaint: Estate) -> Estate:
    """C-0001, filed at 10:00; Li Na looks at it at 10:05."""
    complaint.clock.set(TRIAGED_AT)
    return complaint


async def card(estate: Estate) -> str:
    cards = [m for m in await estate.messages(FRONT_DESK) if "Complaint C-0001" in m.text]
    assert len(cards) == 1
    return cards[0].text


async def buttons(estate: Estate) -> list[list[str]]:
    cards = [m for m in await estate.messages(FRONT_DESK) if "Complaint C-0001" in m.text]
    return cards[0].buttons


async def status(estate: Estate) -> str:
    return (await estate.ticket("complaint")).status


async def test_a_new_complaint_waits_for_triage_at_the_front_desk(complaint: Estate):
    text = await card(complaint)
    assert "Topic: Noise and neighbours" in text
    assert "From: Alice Chen, Building 3, entrance 2, room 301" in text
    assert "Waiting for triage" in text
    assert await buttons(complaint) == [["Major", "Important", "Minor"], ["Invalid"]]
    assert await status(complaint) == "new"
    assert await complaint.pending("complaint.") == {}  # no clock runs before triage


# The manual's table, from Monday 10:05: first reply in 2 hours (major, minor) or 1 working day;
# resolved within 3, 2 or 1 working days (Thursday, Wednesday, Tuesday at 10:05).
@pytest.mark.parametrize(
    ("severity", "reply_by", "resolve_by"),
    [
        ("Major", "9/21/26, 12:05 PM", "9/24/26, 10:05 AM"),
        ("Important", "9/22/26, 10:05 AM", "9/23/26, 10:05 AM"),
        ("Minor", "9/21/26, 12:05 PM", "9/22/26, 10:05 AM"),
    ],
)
async def test_triage_makes_the_first_to_classify_the_owner_with_the_severitys_deadlines(
    complaint: Estate, severity: str, reply_by: str, resolve_by: str
):
    first_card = (await complaint.messages(FRONT_DESK))[-1]  # the card, before triage
    toast = await complaint.tap(LI, severity, chat=FRONT_DESK)

    assert toast.text == "C-0001 is yours. The deadlines are on the card."
    text = await card(complaint)
    assert f"Owner: Li Na · {severity}" in text
    assert f"First reply by {reply_by}" in text and f"Resolve by {resolve_by}" in text
    assert "Status: being handled" in text
    assert await buttons(complaint) == [["Reply", "Route", "Resolved"]]
    told = [m.text for m in await complaint.messages(ALICE) if "is handling" in m.text]
    assert told == [f"C-0001: Li Na is handling your complaint and will reply by {reply_by}."]
    ticket = await complaint.ticket("complaint")
    assert (ticket.status, ticket.assignee_user_id, ticket.severity) == (
        "open",
        LI.id,
        severity.lower(),
    )
    alert = "🚨 Major complaint C-0001 (Noise and neighbours), owned by Li Na."
    managers = [m.text for m in await complaint.messages(MANAGERS) if "C-0001" in m.text]
    supervisor = [m.text for m in await complaint.messages(SUN) if "C-0001" in m.text]
    if severity == "Major":  # management hears at once and records the plan from the alert
        assert managers == [
            f"{alert} Management decides the plan.\n"
            "What happened: Loud drilling from 502 every night after 22:00."
        ]
        assert supervisor == managers
        assert (await complaint.last(MANAGERS)).buttons == [["📝 Record the plan"]]
        # The home visit is the callback, offered once it is resolved (the manual's order).
        assert all("visit" not in m.text for m in await complaint.messages(ALICE))
    else:
        assert managers == [] and supervisor == []

    # A second classification (the card's old button, tapped late) changes nothing.
    again = await complaint.tap(SUN, "Minor", chat=FRONT_DESK, message=first_card)
    assert again.alert
    assert again.text == "C-0001 is already being handled, owned by Li Na."
    assert (await complaint.ticket("complaint")).severity == severity.lower()


async def test_management_records_the_plan_of_a_major_complaint_and_its_owner_sees_it(
    complaint: Estate,
):
    await complaint.tap(LI, "Major", chat=FRONT_DESK)
    alert = await complaint.last(MANAGERS)
    refused = await complaint.tap(LI, "Record the plan", chat=MANAGERS, message=alert)
    assert refused.alert  # the front desk owns it; management decides the plan
    assert refused.text == "Only a supervisor or a manager records the handling plan."
    await start_staff(complaint, SUN)
    toast = await complaint.tap(SUN, "Record the plan", chat=MANAGERS, message=alert)
    assert not toast.alert, toast
    plan = "Mediate between the neighbours on Tuesday; security patrols at 22:00 this week."
    await complaint.send(SUN, plan)
    await complaint.tap(SUN, "Submit")
    assert (await complaint.last(SUN)).text == (
        "The plan for C-0001 is recorded; its owner has it and the card shows it."
    )
    assert (await complaint.last(LI)).text == (
        f"📝 Management's handling plan for C-0001, from Sun Li:\n{plan}"
    )
    assert f"📝 Management's plan (from Sun Li):\n{plan}" in await card(complaint)
    ticket = await complaint.ticket("complaint")
    assert ticket.details["plan"] == {"text": plan, "by": "Sun Li"}


async def test_claim_invalid_makes_the_claimant_owner_and_asks_for_the_reason(complaint: Estate):
    toast = await complaint.tap(LI, "Invalid", chat=FRONT_DESK)

    assert toast.text == (
        "In our private chat: choose how the resident is told why (in writing, or in person)."
    )
    assert "Owner: Li Na · being explained as invalid" in await card(complaint)
    assert await buttons(complaint) == []
    how = await complaint.last(LI)
    assert how.text.startswith("C-0001: how is the resident told why it is not a valid complaint?")
    assert "In person: when the cause is their own, nothing is put in writing" in how.text
    assert how.buttons == [["✍️ In writing", "🗣 In person"]]
    await complaint.tap(LI, "✍️ In writing")
    assert (await complaint.last(LI)).text == (
        "C-0001: why is it not a valid complaint? The resident will read this."
    )
    assert await status(complaint) == "explaining"
    explain_by = local(2026, 9, 22, 10, 5)  # 1 working day
    assert await complaint.pending("complaint.explain") == {"complaint.explain_breach": explain_by}


async def test_explain_tells_the_resident_why_and_closes_it_as_invalid(complaint: Estate):
    await owner_form(complaint, LI, "Invalid", "The noise comes from licensed daytime works.")

    told = await complaint.last(ALICE)
    assert told.text == (
        "About C-0001: after checking, we could not treat it as a complaint, for this reason:\n"
        "The noise comes from licensed daytime works."
    )
    assert (await complaint.last(LI)).text == (
        "C-0001 is closed as invalid; the resident has the reason."
    )
    assert "Status: invalid (explained)" in await card(complaint)
    ticket = await complaint.ticket("complaint")
    assert (ticket.status, ticket.closed_at) == ("invalid", TRIAGED_AT)
    assert await complaint.pending("complaint.") == {}


async def resolved(estate: Estate) -> None:
    """Minor; Li replies at 10:30 and resolves it at 11:00."""
    await estate.tap(LI, "Minor", chat=FRONT_DESK)
    estate.clock.set(local(2026, 9, 21, 10, 30))
    await owner_form(estate, LI, "Reply", "We have spoken to 502.")
    estate.clock.set(local(2026, 9, 21, 11, 0))
    await owner_form(estate, LI, "Resolved", "502 signed the renovation rules.")


async def test_a_reply_reaches_the_resident_and_stops_the_reply_clock(complaint: Estate):
    await complaint.tap(LI, "Minor", chat=FRONT_DESK)
    complaint.clock.set(local(2026, 9, 21, 10, 30))
    await owner_form(complaint, LI, "Reply", "We have spoken to 502.")

    reply = await complaint.last(ALICE)
    assert reply.text == "Reply to C-0001 from Li Na:\nWe have spoken to 502."
    in_chinese = await complaint.messages(ALICE, language="zh_Hans")
    assert in_chinese[-1].text == "Li Na 对 C-0001 的答复：\nWe have spoken to 502."
    assert in_chinese[-2].text == "C-0001：Li Na 负责处理您的投诉，将在 2026/9/21 12:05 前答复您。"
    assert reply.buttons == [["➕ Add information"]]
    assert "✅ Replied 9/21/26, 10:30 AM" in await card(complaint)
    assert await status(complaint) == "open"
    pending = await complaint.pending("complaint.")
    assert "complaint.reply_warn" not in pending and "complaint.reply_breach" not in pending
    assert "complaint.resolve_breach" in pending


async def test_resolve_tells_the_resident_what_was_done_and_schedules_the_callback(
    complaint: Estate,
):
    await resolved(complaint)

    assert (await complaint.last(ALICE)).text == (
        "C-0001 is resolved. This is what was done:\n502 signed the renovation rules."
    )
    said = (await complaint.last(LI)).text
    assert said == "C-0001 is resolved. The resident will be called back."
    text = await card(complaint)
    assert "✅ Resolved 9/21/26, 11:00 AM" in text
    assert "Status: resolved, callback pending" in text
    assert await buttons(complaint) == []
    assert await status(complaint) == "resolved"
    assert await complaint.pending("complaint.") == {
        # Resolved Monday 11:00: asked on Tuesday morning, asked again on Wednesday, and a phone
        # task for the front desk on Thursday morning, within the 3 working days.
        "complaint.survey": local(2026, 9, 22, 9, 0),
        "complaint.survey_remind": local(2026, 9, 23, 9, 0),
        "complaint.survey_phone": local(2026, 9, 24, 9, 0),
    }


async def surveyed(estate: Estate) -> None:
    await resolved(estate)
    await estate.wait_until(local(2026, 9, 22, 9, 0))
    asked = await estate.last(ALICE)
    assert asked.text == "Are you satisfied with how your complaint C-0001 was resolved?"
    assert asked.buttons == [["😊 Satisfied", "😞 Not satisfied"]]


async def test_satisfied_closes_the_complaint(complaint: Estate):
    await surveyed(complaint)
    toast = await complaint.tap(ALICE, "Satisfied")

    assert toast.text == "Thank you for telling us."
    assert "Status: closed" in await card(complaint)
    ticket = await complaint.ticket("complaint")
    assert (ticket.status, ticket.closed_at) == ("closed", local(2026, 9, 22, 9, 0))
    again = await complaint.tap(ALICE, "Not satisfied")
    assert again.alert and await status(complaint) == "closed"


async def test_unsatisfied_reopens_it_to_the_same_owner_with_a_new_deadline(complaint: Estate):
    await surveyed(complaint)
    toast = await complaint.tap(ALICE, "Not satisfied")

    assert toast.text == "We are sorry. C-0001 is reopened and a supervisor has been told."
    assert (await complaint.last(SUN)).text == (
        "↩️ The resident is not satisfied with how C-0001 was resolved (owner Li Na); "
        "it is reopened."
    )
    # Minor: resolved within 1 working day of reopening on Tuesday 09:00: Wednesday 09:00.
    new_due = local(2026, 9, 23, 9, 0)
    assert (await complaint.last(LI)).text == (
        "↩️ C-0001: the resident is not satisfied. It is open again and must be resolved by "
        "9/23/26, 9:00 AM."
    )
    text = await card(complaint)
    assert "Status: being handled" in text and "Resolve by 9/23/26, 9:00 AM" in text
    assert await buttons(complaint) == [["Reply", "Route", "Resolved"]]
    ticket = await complaint.ticket("complaint")
    assert (ticket.status, ticket.assignee_user_id, ticket.reopened) == ("open", LI.id, 1)
    assert (ticket.resolved_at, ticket.resolve_due_at) == (None, new_due)
    pending = await complaint.pending("complaint.resolve")
    assert pending == {
        "complaint.resolve_warn": local(2026, 9, 23, 8, 0),
        "complaint.resolve_breach": new_due,
    }


async def test_a_major_complaint_reaches_someone_who_can_read_it(open_estate: OpenEstate):
    estate = await open_estate(config=estate_config(managers=False))
    await register(estate, ALICE)
    await start_staff(estate, LI)  # Sun, the only supervisor, never opened a private chat
    await file_complaint(estate, ALICE)
    await estate.tap(LI, "Major", chat=FRONT_DESK)
    assert [t for t in await estate.texts(FRONT_DESK) if "Major complaint C-0001" in t]


CHEN = Person(303, "Chen", "Jing", phone="+8613600000004")
DAI = Person(304, "Dai", "Wen", phone="+8613500000005")


async def test_a_group_complaint_gives_management_the_plan_card_once_per_complaint(
    complaint: Estate,
):
    """Three residents on one topic within two hours make an urgent complaint: management's
    alert carries Record the plan (for the complaint that made it a group), a fourth resident
    joining adds no second card, and the plan may be recorded before anyone triages it."""
    await register(complaint, BOB, ("5", "1", "501"))
    await register(complaint, CHEN, ("6", "2", "602"))
    await file_complaint(complaint, BOB, what="Drilling upstairs at night, every night.")
    assert not [t for t in await complaint.texts(MANAGERS) if "Group complaint" in t]
    assert await file_complaint(complaint, CHEN, what="Renovation noise after 22:00.") == "C-0003"

    alerts = [m for m in await complaint.messages(MANAGERS) if "Group complaint" in m.text]
    assert [m.text for m in alerts] == [
        "👥 Group complaint: 3 residents complained about Noise and neighbours in a short time "
        "(C-0001, C-0002, C-0003). Please act now.\n"
        "Management decides the plan; it is recorded on C-0003."
    ]
    assert alerts[0].buttons == [["📝 Record the plan"]]
    desk = [m for m in await complaint.messages(FRONT_DESK) if "Group complaint" in m.text]
    assert [m.buttons for m in desk] == [[]]  # the front desk is told; management plans

    await register(complaint, DAI, ("7", "1", "701"))
    await file_complaint(complaint, DAI, what="The drilling woke my children again.")
    after_dai = [m for m in await complaint.messages(MANAGERS) if "C-0004" in m.text]
    assert after_dai == []  # linked on the cards, no further alert or plan card

    await start_staff(complaint, SUN)
    toast = await complaint.tap(SUN, "Record the plan", chat=MANAGERS, message=alerts[0])
    assert not toast.alert, toast
    plan = "Stop the works at 502 tonight; the manager meets the residents tomorrow."
    await complaint.send(SUN, plan)
    await complaint.tap(SUN, "Submit")
    recorded = (await complaint.ticket("complaint", 3)).details["plan"]
    assert recorded == {"text": plan, "by": "Sun Li"}
    told = [t for t in await complaint.texts(FRONT_DESK) if "handling plan for C-0003" in t]
    assert told == [f"📝 Management's handling plan for C-0003, from Sun Li:\n{plan}"]  # no owner

    # Triaged major later: management hears of it, without a second plan card.
    cards = [m for m in await complaint.messages(FRONT_DESK) if "Complaint C-0003" in m.text]
    await complaint.tap(LI, "Major", chat=FRONT_DESK, message=cards[0])
    major = await complaint.last(MANAGERS)
    assert major.text.startswith("🚨 Major complaint C-0003") and major.buttons == []
