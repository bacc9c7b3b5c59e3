"""Complaints (投诉), end to end: a resident complains, the first front-desk member to classify it
owns it, replies and resolves it within the severity's deadlines, and the resident is called back.

Run as residents and staff would, against the bot process, on SQLite and on PostgreSQL. This estate
has a management group and keeps the manual's timings; when a test needs a deadline to pass it
moves that timer's due time to now in the database and the running bot's scheduler fires it. When
each deadline falls, per severity and on the working calendar, is tested in tests/domain.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.sandbox import SandboxMessage, SandboxUser

from .conftest import (
    BotProcess,
    Estate,
    eventually,
    file_complaint,
    register_on_roster,
    register_with_approval,
    start_staff,
    write_config,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
async def estate(estate: Estate) -> Estate:
    """The shared estate, with management's group in its config (major and group complaints)."""
    estate.managers_department = True
    write_config(estate)
    return estate


def as_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def actions(estate: Estate) -> list[str]:
    rows = await estate.query(
        "select action from events where action like 'complaint.%' order by id"
    )
    return [action for (action,) in rows]


async def complaint(estate: Estate, number: int = 1) -> tuple:
    rows = await estate.query(
        "select status, assignee_user_id, severity, replied_at, resolved_at, reopened"
        " from tickets where kind = 'complaint' and number = :n",
        n=number,
    )
    assert len(rows) == 1, rows
    return rows[0]


async def card_of(estate: Estate, number: str) -> SandboxMessage:
    return await estate.front_desk.wait_for_message(containing=f"Complaint {number}")


def data_of(message: SandboxMessage, label: str) -> str:
    for labels, datas in zip(message.buttons, message.callback_data, strict=True):
        for text, data in zip(labels, datas, strict=True):
            if label in text and data is not None:
                return data
    raise AssertionError(f"no button {label!r}: {message.buttons}")


async def triaged(estate: Estate, staff: SandboxUser, card: SandboxMessage, severity: str) -> None:
    answer = await staff.click(severity, message=card)
    assert not answer.show_alert, answer
    await estate.front_desk.wait_for_message(containing=f"Owner: {staff.full_name}")


async def owned_complaint(
    estate: Estate, severity: str = "Minor", *, supervisor: bool = False, **complaint: str
) -> SandboxMessage:
    """Alice (on the roster) complains (`complaint`: the form's answers, else the usual noise)
    and Li, who opened the private chat, triages it as `severity`, so he owns it; Sun opens his
    private chat first if `supervisor`. Returns the front desk's card of C-0001."""
    await register_on_roster(estate.alice)
    await start_staff(estate.li)
    if supervisor:
        await start_staff(estate.sun)
    number = await file_complaint(estate, estate.alice, **complaint)
    card = await card_of(estate, number)
    await triaged(estate, estate.li, card, severity)
    return card


async def owner_form(
    owner: SandboxUser, card: SandboxMessage, button: str, ask: str, said: str
) -> None:
    """Reply or Resolved on the card, then the private form: type (Resolved: the corrective and
    preventive action too), Submit."""
    answer = await owner.click(button, message=card)
    assert not answer.show_alert, answer
    assert "opened a form" in (answer.text or ""), answer
    await owner.wait_for_message(containing=ask)
    await owner.send(said)
    if button == "Resolved":
        await owner.wait_for_message(containing="corrective action")
        await owner.send("Reminded 502 of the quiet hours.")
        await owner.wait_for_message(containing="preventive action")
        await owner.send("Quiet hours posted on every landing.")
    summary = await owner.wait_for_message(containing="Send this to the resident")
    await owner.click("Submit", message=summary)


async def timers(estate: Estate, kind: str) -> list[str]:
    rows = await estate.query("select status from timers where kind = :k order by id", k=kind)
    return [status for (status,) in rows]


# -- 1. the happy path -----------------------------------------------------------------------------


async def test_a_minor_complaint_is_triaged_replied_resolved_and_closed_after_a_happy_callback(
    estate: Estate, bot: BotProcess
):
    alice, li, desk = estate.alice, estate.li, estate.front_desk
    await register_on_roster(alice)
    await start_staff(li)
    number = await file_complaint(estate, alice)
    assert number == "C-0001"
    received = alice.messages[-1]
    assert "registered as C-0001" in received.text
    assert received.buttons == [["➕ Add information"]]

    card = await card_of(estate, number)
    for line in (
        "Topic: Noise and neighbours",
        "From: Alice Chen",
        "What happened: Loud drilling from 502",
        "Wants: Ask them to stop after 22:00.",
        "Waiting for triage",
    ):
        assert line in card.text, (line, card.text)
    assert card.buttons == [["Major", "Important", "Minor"], ["Invalid"]]

    answer = await li.click("Minor", message=card)
    assert not answer.show_alert and "C-0001 is yours" in (answer.text or ""), answer
    await desk.wait_for_message(containing="Owner: Li Na · Minor")
    assert "First reply by" in card.text and "Resolve by" in card.text, card.text
    assert "Status: being handled" in card.text
    assert card.buttons == [["Reply", "Route", "Resolved"]]
    told = await alice.wait_for_message(containing="is handling your complaint")
    assert "C-0001: Li Na is handling your complaint and will reply by" in told.text
    status, owner, severity, replied, resolved, _ = await complaint(estate)
    assert (status, owner, severity, replied, resolved) == ("open", li.id, "minor", None, None)

    await owner_form(li, card, "Reply", "type your reply", "We have spoken to 502.")
    reply = await alice.wait_for_message(containing="Reply to C-0001")
    assert "Reply to C-0001 from Li Na:" in reply.text and "We have spoken to 502." in reply.text
    await li.wait_for_message(containing="reply clock has stopped")
    await desk.wait_for_message(containing="✅ Replied")
    assert (await complaint(estate))[3] is not None  # replied_at
    assert await timers(estate, "complaint.reply_warn") == ["cancelled"]
    assert await timers(estate, "complaint.reply_breach") == ["cancelled"]

    await owner_form(li, card, "Resolved", "what was done", "502 signed the renovation rules.")
    done = await alice.wait_for_message(containing="C-0001 is resolved")
    assert "502 signed the renovation rules." in done.text
    await li.wait_for_message(containing="will be called back")
    assert (await complaint(estate))[0] == "resolved"
    await desk.wait_for_message(containing="Status: resolved, callback pending")
    assert "✅ Resolved" in card.text and card.buttons == []

    assert await estate.fast_forward("complaint.survey") == 1  # the next working morning
    survey = await alice.wait_for_message(containing="Are you satisfied")
    assert survey.buttons == [["😊 Satisfied", "😞 Not satisfied"]]
    answer = await alice.click("Satisfied", message=survey)
    assert not answer.show_alert and "Thank you" in (answer.text or ""), answer
    await desk.wait_for_message(containing="Status: closed")
    assert (await complaint(estate))[0] == "closed"

    thread = await estate.query(
        "select data from events where action = 'complaint.message' order by id"
    )
    said = [(as_json(d)["side"], as_json(d)["text"]) for (d,) in thread]
    assert said == [
        ("resident", "Loud drilling from 502 every night after 22:00 since Monday."),
        ("staff", "We have spoken to 502."),
        ("staff", "502 signed the renovation rules."),
    ]
    assert "complaint.breach" not in await actions(estate)
    assert not [m for m in estate.managers.messages if "C-0001" in m.text]  # minor: not management


# -- 2. deadlines per severity ---------------------------------------------------------------------


@pytest.mark.parametrize("severity", ["major", "important", "minor"])
async def test_an_untouched_complaint_warns_its_owner_and_alerts_supervisors_at_each_deadline(
    estate: Estate, bot: BotProcess, severity: str
):
    li, sun = estate.li, estate.sun
    await owned_complaint(estate, severity.capitalize(), supervisor=True)

    if severity == "major":  # management hears at once, and records the plan from the alert
        alert = await estate.managers.wait_for_message(containing="Major complaint C-0001")
        assert "owned by Li Na" in alert.text and alert.buttons == [["📝 Record the plan"]]
        await sun.wait_for_message(containing="Major complaint C-0001")
    else:
        await asyncio.sleep(0.5)
        assert not [m for m in estate.managers.messages if "C-0001" in m.text]

    # Each deadline in turn is made to pass now; the running scheduler fires it.
    for kind, person, said in (
        ("complaint.reply_warn", li, "the first reply is due by"),
        ("complaint.reply_breach", sun, "C-0001 (owner Li Na) missed its first-reply"),
        ("complaint.resolve_warn", li, "it must be resolved by"),
        ("complaint.resolve_breach", sun, "C-0001 (owner Li Na) missed its resolution"),
    ):
        assert await estate.fast_forward(kind) == 1
        await person.wait_for_message(containing=said)
    breaches = await estate.query(
        "select data from events where action = 'complaint.breach' order by id"
    )
    assert [as_json(d)["deadline"] for (d,) in breaches] == ["reply", "resolve"]
    assert (await complaint(estate))[0] == "open"


# -- 3. invalid complaints -------------------------------------------------------------------------


async def test_an_invalid_complaint_is_explained_to_the_resident_and_closed(
    estate: Estate, bot: BotProcess
):
    alice, li = estate.alice, estate.li
    await register_on_roster(alice)
    await start_staff(li)
    number = await file_complaint(
        estate, alice, topic="Fees", what="The management fee is too high for me."
    )
    card = await card_of(estate, number)
    answer = await li.click("Invalid", message=card)
    assert not answer.show_alert and "private chat" in (answer.text or ""), answer
    await estate.front_desk.wait_for_message(containing="being explained as invalid")
    how = await li.wait_for_message(containing="how is the resident told")
    await li.click("✍️ In writing", message=how)
    await li.wait_for_message(containing="why is it not a valid complaint")
    await li.send("The fee is set by the owners' assembly; please raise it there.")
    summary = await li.wait_for_message(containing="Send this to the resident")
    await li.click("Submit", message=summary)
    told = await alice.wait_for_message(containing="could not treat it as a complaint")
    assert "owners' assembly" in told.text
    await li.wait_for_message(containing="closed as invalid")
    assert (await complaint(estate))[0] == "invalid"
    assert await timers(estate, "complaint.explain_breach") == ["cancelled"]


async def test_an_invalid_complaint_whose_cause_is_the_residents_own_is_explained_in_person(
    estate: Estate, bot: BotProcess
):
    """The manual's exception: not put in writing (it would only upset the resident); the
    choice and what was said are recorded on the complaint, and the resident reads no reason."""
    alice, li = estate.alice, estate.li
    await register_on_roster(alice)
    await start_staff(li)
    number = await file_complaint(
        estate, alice, topic="Noise and neighbours", what="The noise upstairs wakes my baby."
    )
    card = await card_of(estate, number)
    await li.click("Invalid", message=card)
    how = await li.wait_for_message(containing="how is the resident told")
    await li.click("🗣 In person", message=how)
    await li.wait_for_message(containing="what did you explain, to whom and when")
    note = "Visited 14:00: the noise is the resident's own washing machine at night."
    await li.send(note)
    summary = await li.wait_for_message(containing="explained in person")
    assert "washing machine" in summary.text
    edit = await li.click("Edit", message=summary)
    assert not edit.show_alert, edit
    which = await li.wait_for_message(containing="What would you like to change")
    assert which.buttons == [["What was explained"]], which.buttons  # no reason to edit
    await li.click("What was explained", message=which)
    await li.wait_for_message(containing="what did you explain, to whom and when")
    await li.send(note + " Told her kindly.")
    summary = await li.wait_for_message(containing="Told her kindly")
    await li.click("Submit", message=summary)
    told = await alice.wait_for_message(containing="as our staff explained to you in person")
    assert "washing machine" not in told.text
    await li.wait_for_message(containing="explained in person; your note is on the complaint")
    card = await estate.front_desk.wait_for_message(
        predicate=lambda m: number in m.text and "Explained to the resident in person" in m.text
    )
    assert "washing machine" not in card.text  # the record is the office's, not the group's
    status, details = (
        await estate.query(
            "select status, details from tickets where kind = 'complaint' and number = 1"
        )
    )[0]
    assert status == "invalid"
    recorded = as_json(details)
    assert recorded["explained"] == "in_person" and "Told her kindly" in recorded["invalid_note"]
    assert "invalid_reason" not in recorded
    thread = await estate.query(
        "select data from events where action = 'complaint.message' order by id"
    )
    assert all("washing machine" not in as_json(d).get("text", "") for (d,) in thread[1:])


async def test_an_invalid_complaint_not_explained_in_time_alerts_the_supervisors(
    estate: Estate, bot: BotProcess
):
    alice, li, sun = estate.alice, estate.li, estate.sun
    await register_on_roster(alice)
    await start_staff(li)
    await start_staff(sun)
    number = await file_complaint(estate, alice)
    card = await card_of(estate, number)
    answer = await li.click("Invalid", message=card)
    assert not answer.show_alert, answer
    await li.wait_for_message(containing="how is the resident told")
    assert await estate.fast_forward("complaint.explain_breach") == 1  # a working day later
    alert = await sun.wait_for_message(containing="not been told why it is invalid")
    assert "C-0001 (owner Li Na)" in alert.text
    breaches = await estate.query("select data from events where action = 'complaint.breach'")
    assert [as_json(d)["deadline"] for (d,) in breaches] == ["explain"]
    assert (await complaint(estate))[0] == "explaining"


# -- 4. routing ------------------------------------------------------------------------------------


async def test_the_owner_routes_a_complaint_to_engineering_and_stays_its_owner(
    estate: Estate, bot: BotProcess
):
    li = estate.li
    card = await owned_complaint(
        estate,
        topic="Facilities",
        what="The lobby door closer is broken and slams.",
        wish="Fix the door closer.",
    )
    answer = await li.click("Route", message=card)
    assert not answer.show_alert, answer
    ask = await li.wait_for_message(containing="which department must fix the cause")
    await li.click("Engineering", message=ask)
    routed = await estate.engineering.wait_for_message(containing="Complaint C-0001 routed")
    assert "routed to you by its owner Li Na" in routed.text
    assert "The lobby door closer is broken" in routed.text
    await li.wait_for_message(containing="C-0001 was routed to Engineering")
    await estate.front_desk.wait_for_message(containing="Routed to: Engineering")
    assert "Owner: Li Na" in card.text
    assert (await complaint(estate))[:2] == ("open", li.id)


# -- 5. the resident adds information; the owner answers -------------------------------------------


async def test_information_the_resident_adds_reaches_the_owner_and_the_reply_reaches_the_resident(
    estate: Estate, bot: BotProcess
):
    alice, li = estate.alice, estate.li
    card = await owned_complaint(estate)
    received = [m for m in alice.messages if "registered as C-0001" in m.text]
    await alice.click("Add information", message=received[0])
    await alice.wait_for_message(containing="what would you like to add")
    await alice.send("It happened again last night at 23:30.")
    await alice.wait_for_message(containing="Added to C-0001")
    added = await li.wait_for_message(containing="the resident added")
    assert "C-0001: the resident added: It happened again last night at 23:30." in added.text

    await owner_form(li, card, "Reply", "type your reply", "Security will check at 23:00 tonight.")
    reply = await alice.wait_for_message(containing="Reply to C-0001 from Li Na")
    assert "Security will check at 23:00 tonight." in reply.text
    thread = await estate.query(
        "select data from events where action = 'complaint.message' order by id"
    )
    assert [as_json(d)["side"] for (d,) in thread] == ["resident", "resident", "staff"]


# -- 6. one owner ----------------------------------------------------------------------------------


async def test_only_the_owner_acts_on_a_complaint_and_others_taps_are_refused(
    estate: Estate, bot: BotProcess
):
    alice, li, wang, zhou, mallory = (
        estate.alice,
        estate.li,
        estate.wang,
        estate.zhou,
        estate.mallory,
    )
    await register_on_roster(alice)
    await start_staff(li)
    await wang.send("/start")  # Wang's Telegram is Chinese
    await wang.wait_for_message(containing="员工")
    first = await file_complaint(estate, alice)
    card = await card_of(estate, first)
    await triaged(estate, li, card, "Minor")
    for label in ("Reply", "Resolved"):
        answer = await wang.click(label, message=card)
        assert answer.show_alert, answer
        assert "C-0001" in (answer.text or "") and "Li Na" in (answer.text or ""), answer
        assert "负责人" in (answer.text or ""), answer  # Wang's Telegram is Chinese
    assert await estate.query(
        "select count(*) from conversations where user_id = :id", id=wang.id
    ) == [(0,)]

    second = await file_complaint(estate, alice, what="The corridor light is off every night.")
    card2 = await card_of(estate, second)
    answer = await zhou.click("Minor", message=card2)  # a technician
    assert answer.show_alert and "Only front desk staff" in (answer.text or ""), answer
    ticket_id = (await estate.query("select id from tickets where number = 2"))[0][0]
    answer = await mallory.click_data(f"1|cmp.triage|{ticket_id}|major", message=card2)
    assert answer.show_alert, answer
    assert (await complaint(estate, 2))[:2] == ("new", None)

    one, other = await asyncio.gather(
        li.click("Minor", message=card2), wang.click("Major", message=card2)
    )
    answers = {li: one, wang: other}
    winners = [person for person, answer in answers.items() if not answer.show_alert]
    assert len(winners) == 1, answers
    status, owner, severity, *_ = await complaint(estate, 2)
    assert status == "open" and owner == winners[0].id
    assert severity == ("minor" if winners[0] is li else "major")
    assert (await actions(estate)).count("complaint.triaged") == 2  # C-0001 and C-0002 once


# -- 6b. a major complaint: management's plan, and the home visit as its callback ----------------


async def test_a_major_complaint_gets_managements_plan_and_its_callback_is_the_home_visit(
    estate: Estate, bot: BotProcess
):
    alice, li, sun = estate.alice, estate.li, estate.sun
    card = await owned_complaint(estate, "Major", supervisor=True)
    alert = await estate.managers.wait_for_message(containing="Major complaint C-0001")
    refused = await li.click("Record the plan", message=alert)
    assert refused.show_alert and "supervisor or a manager" in (refused.text or ""), refused
    answer = await sun.click("Record the plan", message=alert)
    assert not answer.show_alert, answer
    await sun.wait_for_message(containing="what is management's handling plan")
    await sun.send("Mediate on Tuesday; security patrols at 22:00 this week.")
    summary = await sun.wait_for_message(containing="Handling plan for C-0001")
    await sun.click("Submit", message=summary)
    plan = await li.wait_for_message(containing="Management's handling plan for C-0001")
    assert "security patrols at 22:00" in plan.text
    await estate.front_desk.wait_for_message(containing="Management's plan (from Sun Li)")

    await owner_form(li, card, "Resolved", "what was done", "502 agreed to the quiet hours.")
    offer = await alice.wait_for_message(containing="visit you at home")  # at once
    await alice.click("Choose a day", message=offer)
    await alice.wait_for_message(containing="which day may we visit you")
    day = datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=2)
    await alice.send(day.isoformat())
    ask = await alice.wait_for_message(containing="time of day")
    await alice.click("Evening", message=ask)
    await alice.wait_for_message(containing="home visit about C-0001 is booked")
    await li.wait_for_message(containing="the resident chose a home visit")
    await estate.front_desk.wait_for_message(containing="Home visit:")
    # The visit is the callback: no reminder for the resident, no phone task for the front desk.
    assert await timers(estate, "complaint.survey_remind") == ["cancelled"]
    assert await timers(estate, "complaint.survey_phone") == ["cancelled"]

    assert await estate.fast_forward("complaint.visit_reminder") == 1  # the day of the visit
    task = await li.wait_for_message(containing="Today: home visit about C-0001")
    assert task.buttons == [["😊 Resident satisfied", "😞 Not satisfied"]]
    answer = await li.click("Resident satisfied", message=task)
    assert "the resident is satisfied; it is closed" in (answer.text or ""), answer
    await estate.front_desk.wait_for_message(containing="Status: closed")
    assert (await complaint(estate))[0] == "closed"
    again = await li.click("Not satisfied", message=task)
    assert again.show_alert  # recorded once


# -- 7. an unhappy callback ------------------------------------------------------------------------


async def test_not_satisfied_reopens_the_complaint_to_the_same_owner_and_tells_the_supervisors(
    estate: Estate, bot: BotProcess
):
    alice, li, sun = estate.alice, estate.li, estate.sun
    card = await owned_complaint(estate, supervisor=True)
    await owner_form(li, card, "Reply", "type your reply", "We are on it.")
    await alice.wait_for_message(containing="Reply to C-0001")
    old_due = (await estate.query("select resolve_due_at from tickets"))[0][0]
    await owner_form(li, card, "Resolved", "what was done", "Spoke to 502.")
    await alice.wait_for_message(containing="C-0001 is resolved")
    assert await estate.fast_forward("complaint.survey") == 1
    survey = await alice.wait_for_message(containing="Are you satisfied")
    answer = await alice.click("Not satisfied", message=survey)
    assert not answer.show_alert and "C-0001 is reopened" in (answer.text or ""), answer
    await sun.wait_for_message(containing="not satisfied with how C-0001 was resolved")
    await li.wait_for_message(containing="C-0001: the resident is not satisfied")
    await estate.front_desk.wait_for_message(containing="Status: being handled")
    status, owner, _, _, resolved, reopened = await complaint(estate)
    assert (status, owner, resolved, reopened) == ("open", li.id, None, 1)
    new_due = (await estate.query("select resolve_due_at from tickets"))[0][0]
    # The clock restarts at the reopening; outside office hours both count from the same next
    # working morning, so the new deadline is never earlier, and later in office hours.
    assert str(new_due) >= str(old_due)
    assert "pending" in await timers(estate, "complaint.resolve_breach")


# -- 8. a group complaint --------------------------------------------------------------------------


async def test_three_residents_complaining_about_the_same_thing_are_linked_and_management_alerted(
    estate: Estate, bot: BotProcess
):
    alice, bob = estate.alice, estate.bob
    chen = estate.sandbox.add_user(
        "Chen", last_name="Jing", language_code="en", phone="+8613600000004"
    )
    await register_on_roster(alice)
    await register_with_approval(estate, bob)
    await register_with_approval(estate, chen, ("6", "2", "602"))
    await file_complaint(estate, alice)
    await file_complaint(estate, bob, what="Drilling upstairs at night, every night this week.")
    await asyncio.sleep(0.5)
    assert not [m for m in estate.managers.messages if "Group complaint" in m.text]
    await file_complaint(estate, chen, what="Noise from renovation after 22:00 in building 5.")
    alert = await estate.managers.wait_for_message(containing="Group complaint")
    assert "3 residents complained about Noise and neighbours" in alert.text
    assert "C-0001, C-0002, C-0003" in alert.text
    assert "the plan; it is recorded on C-0003" in alert.text  # urgent: management plans it
    assert alert.buttons == [["📝 Record the plan"]], alert.buttons
    await estate.front_desk.wait_for_message(containing="Group complaint")
    await eventually(lambda: _all_linked(estate))
    await asyncio.sleep(0.5)
    assert len([m for m in estate.managers.messages if "Group complaint" in m.text]) == 1

    # A fourth resident joins the group complaint already raised: linked, not alerted again.
    dai = estate.sandbox.add_user(
        "Dai", last_name="Wen", language_code="en", phone="+8613500000005"
    )
    await register_with_approval(estate, dai, ("7", "1", "701"))
    await file_complaint(estate, dai, what="The drilling woke my children again last night.")
    await estate.front_desk.wait_for_message(
        predicate=lambda m: (
            "Complaint C-0004" in m.text and "C-0001, C-0002, C-0003, C-0004" in m.text
        )
    )
    await asyncio.sleep(0.5)
    assert len([m for m in estate.managers.messages if "Group complaint" in m.text]) == 1


async def _all_linked(estate: Estate) -> bool:
    cards = [m for m in estate.front_desk.messages if "Complaint C-000" in m.text]
    return len(cards) == 3 and all(
        "Linked complaints: C-0001, C-0002, C-0003" in m.text for m in cards
    )


# -- 9. reports ------------------------------------------------------------------------------------


async def test_complaints_lists_open_ones_nearest_deadline_first(estate: Estate, bot: BotProcess):
    alice, li = estate.alice, estate.li
    await register_on_roster(alice)
    await start_staff(li)
    one = await file_complaint(estate, alice)
    await triaged(estate, li, await card_of(estate, one), "Minor")
    await file_complaint(estate, alice, what="The corridor light is off every night.")
    await card_of(estate, "C-0002")
    three = await file_complaint(
        estate, alice, topic="Parking", what="A car blocks my space daily."
    )
    await triaged(estate, li, await card_of(estate, three), "Important")

    await li.send("/complaints")
    listing = await li.wait_for_message(containing="open complaints")
    assert "3 open complaints" in listing.text, listing.text
    order = [n for n in ("C-0001", "C-0003", "C-0002") if n in listing.text]
    assert sorted(order, key=listing.text.index) == ["C-0001", "C-0003", "C-0002"], listing.text
    assert "C-0002: waiting for triage · — · next deadline —" in listing.text

    await alice.send("/complaints")
    refused = await alice.wait_for_message(containing="Only estate staff")
    assert "open complaint" not in refused.text

    await li.send("/report month")  # the figures are the supervisors' (test_reports)
    await li.wait_for_message(containing="Only supervisors and administrators")
