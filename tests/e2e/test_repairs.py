"""Repairs (报修), end to end: a resident reports, engineering accepts and finishes, the resident
signs off and answers the callback survey; the SLA timers escalate what nobody takes.

Run as residents and staff would, against the bot process, on SQLite and on PostgreSQL. The estate
keeps the manual's timings; when a test needs a deadline to pass it moves that timer's due time to
now in the database and the running bot's scheduler fires it. When each deadline falls (minutes,
hours, working days) is tested in tests/domain, against a clock moved by hand.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from bot.sandbox import CallbackAnswer, SandboxGroup, SandboxMessage, SandboxUser

from .conftest import (
    BotProcess,
    Estate,
    Reported,
    all_updates_handled,
    eventually,
    register_on_roster,
    register_with_approval,
    report_repair,
    start_staff,
)

pytestmark = pytest.mark.e2e

ALICE_PHONES = ("13800000001", "138 0000 0001")


def as_json(value: Any) -> Any:
    """A JSON column as read with plain SQL: text on SQLite, maybe decoded on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


async def actions(estate: Estate) -> list[str]:
    """The repair event log, oldest first."""
    rows = await estate.query("select action from events where action like 'repair.%' order by id")
    return [action for (action,) in rows]


async def finish_job(
    technician: SandboxUser,
    card: SandboxMessage,
    *,
    result: str = "Replaced the trap seal under the sink.",
    labour: str = "50",
    material: str = "35",
) -> None:
    """Done on the card, then the private form: result, no photos, fees, Submit."""
    answer = await technician.click("Done", message=card)
    assert not answer.show_alert, answer
    await technician.wait_for_message(containing="what was done")
    await technician.send(result)
    ask = await technician.wait_for_message(containing="Photos of the finished work")
    await technician.click("Skip", message=ask)
    await technician.wait_for_message(containing="Labour fee")
    await technician.send(labour)
    await technician.wait_for_message(containing="Material fee")
    await technician.send(material)
    summary = await technician.wait_for_message(containing="Record this result")
    await technician.click("Submit", message=summary)
    await technician.wait_for_message(containing="is marked done")


async def reported(estate: Estate, person: SandboxUser, **kwargs: object) -> str:
    outcome = await report_repair(estate, person, **kwargs)  # type: ignore[arg-type]
    assert isinstance(outcome, Reported), outcome
    return outcome.number


# -- 1. the whole procedure ------------------------------------------------------------------------


async def leak_from_report_to_closed_survey(estate: Estate, *, photos: int, album: bool) -> None:
    """The happy path: report with photos, accept, done, fixed, survey 5, comment, closed."""
    alice, zhou, group = estate.alice, estate.zhou, estate.engineering
    await register_on_roster(alice)
    await start_staff(zhou)

    outcome = await report_repair(estate, alice, photos=photos, album=album)
    assert isinstance(outcome, Reported)
    assert outcome.number == "R-0001"
    assert "It has been passed to the team" in outcome.reply.text

    # The card: the photos first (an album), then the card with the facts and one button; a
    # single photo carries the card as its caption.
    card = await group.wait_for_message(containing="Repair R-0001")
    if photos > 1:
        albums = estate.sandbox.calls_to("sendMediaGroup")
        assert [(c.params["chat_id"], len(c.params["media"])) for c in albums] == [
            (group.id, photos)
        ]
        shown = [m for m in group.messages if m.photos]
        assert len(shown) == photos and len({m.media_group_id for m in shown}) == 1
        assert group.messages.index(card) == photos  # right after the album
    else:
        assert group.messages == [card] and len(card.photos) == 1
    for line in (
        "Category: Water and drains",
        "Building 3, entrance 2, room 301",
        "The kitchen sink leaks",
        "Reported by Alice Chen (1 resident affected)",
        "Waiting to be accepted",
    ):
        assert line in card.text, (line, card.text)
    assert card.buttons == [["Accept"], ["Re-route"]]
    assert not estate.front_desk.messages  # engineering's job, not the front desk's

    # Accept: the card names Zhou, the phone goes to him privately, Alice hears who is coming.
    answer = await zhou.click("Accept", message=card)
    assert not answer.show_alert and "R-0001 is yours" in (answer.text or "")
    await group.wait_for_message(containing="Accepted by Zhou Qiang")
    assert card.buttons == [["Done", "Hand back"], ["💴 Quote"], ["Re-route"]]
    contact = await zhou.wait_for_message(containing="the resident's contact")
    assert "Alice Chen" in contact.text
    assert "13800000001" in contact.text.replace(" ", ""), contact.text
    told = await alice.wait_for_message(containing="has accepted the job")
    assert "R-0001: Zhou Qiang has accepted the job" in told.text
    assert "evening (17:00–20:00)" in told.text

    # Done: a private form for the result and fees; the card shows the outcome.
    await finish_job(zhou, card)
    await group.wait_for_message(containing="Done by Zhou Qiang")
    assert "Result: Replaced the trap seal under the sink." in card.text
    assert "Fees: labour ¥50.00, materials ¥35.00" in card.text
    assert "Status: done, waiting for the resident" in card.text
    assert card.buttons == []
    asked = await alice.wait_for_message(containing="Is the problem fixed")
    assert "R-0001 has been done" in asked.text and "materials ¥35.00" in asked.text
    assert asked.buttons == [["✅ Fixed", "❌ Not fixed"]]

    # Fixed: thanks, and the callback survey follows when its time comes.
    answer = await alice.click("Fixed", message=asked)
    assert not answer.show_alert, answer
    await alice.wait_for_message(containing="R-0001 is confirmed as fixed")
    await group.wait_for_message(containing="Status: confirmed by the resident")
    assert await estate.fast_forward("repair.survey") == 1
    survey = await alice.wait_for_message(containing="How satisfied")
    assert "Question 1 of 3" in survey.text and "skill and manner" in survey.text
    assert survey.buttons == [["1⭐", "2⭐", "3⭐", "4⭐", "5⭐"]]
    answer = await answer_survey(alice, survey, "5⭐", "4⭐", "5⭐")
    assert not answer.show_alert and "Thank you for your answers" in (answer.text or "")
    await alice.wait_for_message(containing="Anything you would like to add")
    await alice.send("Quick and tidy, thank you!")
    await alice.wait_for_message(containing="feedback is recorded")
    await group.wait_for_message(containing="Status: closed")

    # Every text was filled in: no "{placeholder}" reached anyone.
    for chat in (alice, zhou, group):
        for shown in chat.messages:
            assert "{" not in shown.text, shown.text

    # Nothing in the group ever carried Alice's phone number: not a card, not a caption.
    for call in estate.sandbox.calls:
        if call.params.get("chat_id") == group.id:
            for phone in ALICE_PHONES:
                assert phone not in str(call.params), call
    assert await estate.query(
        "select number, status, reopened, assignee_user_id, closed_at is not null from tickets"
    ) == [(1, "closed", 0, zhou.id, True)]
    assert await estate.query(
        "select skill, quality, process, rating, comment, sent_at is not null,"
        " answered_at is not null from surveys"
    ) == [(5, 4, 5, 4, "Quick and tidy, thank you!", True, True)]  # overall: the lowest
    assert await estate.query(
        "select count(*) from timers where status = 'pending' and kind like 'repair.%'"
    ) == [(0,)]
    log = await actions(estate)
    assert log == [
        "repair.reported",
        "repair.accepted",
        "repair.done",
        "repair.confirmed",
        "repair.survey_sent",
        "repair.survey_answered",
        "repair.closed",
    ], log
    actors = dict(
        await estate.query(
            "select action, actor_user_id from events where action in "
            "('repair.reported', 'repair.accepted', 'repair.done', 'repair.confirmed')"
        )
    )
    assert actors == {
        "repair.reported": alice.id,
        "repair.accepted": zhou.id,
        "repair.done": zhou.id,
        "repair.confirmed": alice.id,
    }


async def test_a_leak_reported_with_an_album_goes_from_report_to_closed_survey(
    estate: Estate, bot: BotProcess
):
    await leak_from_report_to_closed_survey(estate, photos=2, album=True)


async def test_a_leak_reported_with_a_photo_goes_from_report_to_closed_survey(
    estate: Estate, bot: BotProcess
):
    await leak_from_report_to_closed_survey(estate, photos=1, album=False)


async def test_a_resident_who_sends_an_album_of_two_photos_can_tap_done(
    estate: Estate, bot: BotProcess
):
    alice = estate.alice
    await register_on_roster(alice)
    await alice.send("/repair")
    await alice.click(
        "Water and drains", message=await alice.wait_for_message(containing="What needs repairing")
    )
    await alice.click("Building 3", message=await alice.wait_for_message(containing="Where is it"))
    await alice.wait_for_message(containing="describe the problem")
    await alice.send("The kitchen sink leaks under the cabinet since this morning.")
    await alice.wait_for_message(containing="up to 3 photos")
    await alice.send_photos(2)
    note = await alice.wait_for_message(containing="Photo received")
    await all_updates_handled(estate)  # both photos are in before she taps, as in real life
    answer = await alice.click("Done", message=note)
    assert not answer.show_alert, answer.text
    await alice.wait_for_message(containing="How urgent")
    answers = await estate.query(
        "select answers from conversations where user_id = :id", id=alice.id
    )
    assert len(as_json(answers[0][0])["photos"]) == 2


async def test_a_card_with_two_photos_reaches_the_group_as_an_album(
    estate: Estate, bot: BotProcess
):
    group = estate.engineering
    await register_on_roster(estate.alice)
    await reported(estate, estate.alice, photos=2, album=False)
    card = await group.wait_for_message(containing="Repair R-0001", timeout=6)
    assert [len(m.photos) > 0 for m in group.messages] == [True, True, False]
    assert card.buttons == [["Accept"], ["Re-route"]]
    await reported(estate, estate.alice, description="The hallway light is out, second floor.")
    await group.wait_for_message(containing="Repair R-0002")  # the group's queue still flows


@pytest.mark.parametrize("status", [429, 500])
async def test_an_album_is_sent_once_when_telegram_refuses_the_card_after_it(
    estate: Estate, bot: BotProcess, status: int
):
    """The card with two photos is two calls (the album, then the card with its button); the
    second one fails once, and only that one is sent again."""
    group, sandbox = estate.engineering, estate.sandbox
    await register_on_roster(estate.alice)
    sandbox.fail_next("sendMessage", status=status, chat_id=group.id)
    await reported(estate, estate.alice, photos=2, album=True)
    card = await group.wait_for_message(containing="Repair R-0001", timeout=15)
    assert card.buttons == [["Accept"], ["Re-route"]]
    # A refused call keeps its parameters as they came (a form's chat id is text).
    calls = sandbox.calls_to("sendMessage")
    to_group = [c for c in calls if str(c.params.get("chat_id")) == str(group.id)]
    assert [c.status for c in to_group] == [status, 200]
    assert len(sandbox.calls_to("sendMediaGroup")) == 1
    assert [bool(m.photos) for m in group.messages] == [True, True, False]
    settled = await eventually(
        lambda: estate.query(
            "select status, parts_sent from outbox where chat_id = :id and status != 'sending'",
            id=group.id,
        )
    )
    assert settled == [("sent", 1)]


# -- helpers for the rest --------------------------------------------------------------------------


async def accepted_by(technician: SandboxUser, card: SandboxMessage, group: SandboxGroup) -> None:
    answer = await technician.click("Accept", message=card)
    assert not answer.show_alert, answer
    await group.wait_for_message(containing=f"Accepted by {technician.full_name}")


async def job_reported_and_done(estate: Estate) -> tuple[str, SandboxMessage, SandboxMessage]:
    """Alice reports a leak, Zhou accepts and records it done; (number, card, Alice's question)."""
    await register_on_roster(estate.alice)
    await start_staff(estate.zhou)
    number = await reported(estate, estate.alice)
    card = await estate.engineering.wait_for_message(containing=f"Repair {number}")
    await accepted_by(estate.zhou, card, estate.engineering)
    await finish_job(estate.zhou, card)
    asked = await estate.alice.wait_for_message(containing="Is the problem fixed")
    return number, card, asked


async def answer_survey(
    resident: SandboxUser, first: SandboxMessage, *stars: str
) -> CallbackAnswer:
    """Tap one score per question of the survey, from the question `first` asks on, each on the
    question just asked; the last tap's answer."""
    asked = first
    step = int(asked.text.split("Question ")[1].split(" ")[0])
    for index, star in enumerate(stars):
        answer = await resident.click(star, message=asked)
        if index < len(stars) - 1:
            assert not answer.show_alert and "Noted" in (answer.text or ""), answer
            step += 1
            asked = await resident.wait_for_message(containing=f"Question {step} of 3")
    return answer


async def surveyed(estate: Estate, asked: SandboxMessage) -> SandboxMessage:
    """Alice confirms the fix, and the callback survey's time comes."""
    answer = await estate.alice.click("Fixed", message=asked)
    assert not answer.show_alert, answer
    assert await estate.fast_forward("repair.survey") == 1
    return await estate.alice.wait_for_message(containing="How satisfied")


def data_of(message: SandboxMessage, label: str) -> str:
    """The callback data behind a button, to replay it later (a stale or forged tap)."""
    for labels, datas in zip(message.buttons, message.callback_data, strict=True):
        for text, data in zip(labels, datas, strict=True):
            if label in text and data is not None:
                return data
    raise AssertionError(f"no button {label!r}: {message.buttons}")


async def ticket(estate: Estate) -> tuple:
    rows = await estate.query("select status, assignee_user_id, reopened from tickets")
    assert len(rows) == 1, rows
    return rows[0]


# -- 2. duplicates ---------------------------------------------------------------------------------


async def test_a_second_resident_reporting_the_same_common_fault_joins_the_open_job(
    estate: Estate, bot: BotProcess
):
    alice, bob, desk = estate.alice, estate.bob, estate.front_desk
    await register_on_roster(alice)
    await register_with_approval(estate, bob)
    await start_staff(estate.li)
    number = await reported(
        estate,
        alice,
        category="Common areas",
        where="common",
        place="Lift of building 2",
        description="The lift stops between floors and the doors stay shut.",
    )
    # Common areas belong to cleaning, which this estate has not set up: the front desk takes it.
    card = await desk.wait_for_message(containing=f"Repair {number}")
    assert "Where: Common area: Lift of building 2" in card.text
    assert "(1 resident affected)" in card.text

    # Bob names the same place his own way: he is offered the open job, not a new number.
    await bob.send("/repair")
    await bob.click(
        "Common areas", message=await bob.wait_for_message(containing="What needs repairing")
    )
    await bob.click("A common area", message=await bob.wait_for_message(containing="Where is it"))
    await bob.wait_for_message(containing="Which common area")
    await bob.send("  LIFT of   Building 2 ")
    offer = await bob.wait_for_message(containing="already being handled")
    assert offer.buttons == [["Join R-0001", "No, report a new fault"]]
    await bob.click("Join R-0001", message=offer)
    joined = await bob.wait_for_message(containing="You joined R-0001")
    assert "2 residents are affected" in joined.text

    await desk.wait_for_message(containing="(2 residents affected)")
    assert "Reported by Alice Chen (2 residents affected)" in card.text
    assert await estate.query("select count(*) from tickets") == [(1,)]
    followers = await estate.query("select telegram_user_id from ticket_followers order by id")
    assert followers == [(alice.id,), (bob.id,)]
    assert await actions(estate) == ["repair.reported", "repair.joined"]

    answer = await estate.li.click("Accept", message=card)
    assert not answer.show_alert, answer
    for resident in (alice, bob):
        told = await resident.wait_for_message(containing="has accepted the job")
        assert "R-0001: Li Na has accepted the job" in told.text
    cards = [m for m in desk.messages if "Repair R-0" in m.text]
    assert cards == [card]  # one job, one card
    assert not [m for m in estate.engineering.messages if "R-0001" in m.text]


async def test_the_offer_to_join_names_the_job_being_handled(estate: Estate, bot: BotProcess):
    await register_on_roster(estate.alice)
    await register_with_approval(estate, estate.bob)
    await reported(
        estate,
        estate.alice,
        category="Common areas",
        where="common",
        place="Lift of building 2",
        description="The lift stops between floors.",
    )
    bob = estate.bob
    await bob.send("/repair")
    await bob.click(
        "Common areas", message=await bob.wait_for_message(containing="What needs repairing")
    )
    await bob.click("A common area", message=await bob.wait_for_message(containing="Where is it"))
    await bob.wait_for_message(containing="Which common area")
    await bob.send("lift of building 2")
    offer = await bob.wait_for_message(containing="already being handled")
    assert "already being handled as R-0001." in offer.text, offer.text


# -- 3. buttons that must not work -----------------------------------------------------------------


async def test_forged_stale_and_other_peoples_buttons_are_refused_and_change_nothing(
    estate: Estate, bot: BotProcess
):
    alice, zhou, qian, mallory = estate.alice, estate.zhou, estate.qian, estate.mallory
    group = estate.engineering
    await register_on_roster(alice)
    await start_staff(zhou)
    number = await reported(estate, alice)
    card = await group.wait_for_message(containing=f"Repair {number}")
    accept = data_of(card, "Accept")

    answer = await mallory.click("Accept", message=card)  # in the group, but not staff
    assert answer.show_alert and "Only estate staff" in (answer.text or "")
    answer = await zhou.click_data("1|rep.accept|999", message=card)
    assert answer.show_alert and "does not exist" in (answer.text or "")
    for data in ("1|rep.accept|x", "1|rep.accept", "2|rep.accept|1", "1|rep.delete|1"):
        answer = await zhou.click_data(data, message=card)
        assert answer.show_alert and "not valid" in (answer.text or ""), data
    assert await ticket(estate) == ("open", None, 0)

    await accepted_by(zhou, card, group)
    done = data_of(card, "Done")
    answer = await qian.click("Done", message=card)  # a technician who did not accept it
    assert answer.show_alert and "Only the person who accepted" in (answer.text or "")
    answer = await qian.click("Hand back", message=card)
    assert answer.show_alert and "Only the person who accepted" in (answer.text or "")
    assert await ticket(estate) == ("accepted", zhou.id, 0)
    assert await estate.query(
        "select count(*) from conversations where user_id = :id", id=qian.id
    ) == [(0,)]
    assert "Accepted by Zhou Qiang" in card.text and card.buttons == [
        ["Done", "Hand back"],
        ["💴 Quote"],
        ["Re-route"],
    ]

    await finish_job(zhou, card)
    asked = await alice.wait_for_message(containing="Is the problem fixed")
    fixed = data_of(asked, "Fixed")
    answer = await zhou.click_data(done, message=card)  # Done again, on a job already done
    assert answer.show_alert and "no longer applies" in (answer.text or "")
    await mallory.send("/start")  # so Mallory has a chat with the bot to tap in
    await mallory.wait_for_message(containing="share your phone")
    answer = await mallory.click_data(fixed)  # Alice's Fixed, replayed by someone else
    assert answer.show_alert and "does not exist" in (answer.text or "")
    assert (await ticket(estate))[0] == "done"

    survey = await surveyed(estate, asked)
    answer = await alice.click_data(fixed, message=asked)  # Fixed twice
    assert answer.show_alert and "already answered" in (answer.text or "")
    await alice.click("5⭐", message=survey)
    answer = await alice.click("5⭐", message=survey)  # a double tap on the first question
    assert answer.show_alert and "already answered" in (answer.text or "")

    async def second_question() -> SandboxMessage | None:
        # Looked up among all her messages: it may have come before the second tap or after.
        return next((m for m in alice.messages if "Question 2 of 3" in m.text), None)

    second = await eventually(second_question)
    assert isinstance(second, SandboxMessage)
    forged = data_of(second, "1⭐").replace("|quality|", "|process|")  # a question not asked yet
    answer = await alice.click_data(forged, message=second)
    assert answer.show_alert and "does not exist" in (answer.text or "")
    await answer_survey(alice, second, "5⭐", "5⭐")
    await alice.wait_for_message(containing="Anything you would like to add")
    answer = await alice.click("1⭐", message=survey)  # a stale button, the survey answered
    assert answer.show_alert and "already answered" in (answer.text or "")
    await group.wait_for_message(containing="Status: closed")

    for person in (zhou, qian):  # the old Accept of a closed job
        answer = await person.click_data(accept, message=card)
        assert answer.show_alert and "R-0001 is closed" in (answer.text or ""), answer
    assert await ticket(estate) == ("closed", zhou.id, 0)
    assert await estate.query("select skill, quality, process, rating from surveys") == [
        (5, 5, 5, 5)
    ]
    assert await actions(estate) == [
        "repair.reported",
        "repair.accepted",
        "repair.done",
        "repair.confirmed",
        "repair.survey_sent",
        "repair.survey_answered",
        "repair.closed",
    ]
    assert "Done by Zhou Qiang" in card.text and card.buttons == []


# -- 4. two technicians, one job -------------------------------------------------------------------


async def test_two_technicians_tapping_accept_at_once_the_job_goes_to_exactly_one(
    estate: Estate, bot: BotProcess
):
    group = estate.engineering
    await register_on_roster(estate.alice)
    await start_staff(estate.zhou)
    await start_staff(estate.qian)
    number = await reported(estate, estate.alice)
    card = await group.wait_for_message(containing=f"Repair {number}")

    first, second = await asyncio.gather(
        estate.zhou.click("Accept", message=card), estate.qian.click("Accept", message=card)
    )
    answers = {estate.zhou: first, estate.qian: second}
    winners = [person for person, answer in answers.items() if not answer.show_alert]
    assert len(winners) == 1, answers
    winner = winners[0]
    loser = estate.qian if winner is estate.zhou else estate.zhou
    assert f"R-0001 was already accepted by {winner.full_name}" in (answers[loser].text or "")

    await group.wait_for_message(containing=f"Accepted by {winner.full_name}")
    assert await ticket(estate) == ("accepted", winner.id, 0)
    assert (await actions(estate)).count("repair.accepted") == 1
    await winner.wait_for_message(containing="the resident's contact")
    assert not [m for m in loser.messages if "the resident's contact" in m.text]
    told = await estate.alice.wait_for_message(containing="has accepted the job")
    assert winner.full_name in told.text


# -- 5. hand back ----------------------------------------------------------------------------------


async def test_a_job_handed_back_waits_for_someone_else_to_accept_it(
    estate: Estate, bot: BotProcess
):
    alice, zhou, qian, group = estate.alice, estate.zhou, estate.qian, estate.engineering
    await register_on_roster(alice)
    await start_staff(zhou)
    await start_staff(qian)
    number = await reported(estate, alice)
    card = await group.wait_for_message(containing=f"Repair {number}")
    await accepted_by(zhou, card, group)

    answer = await zhou.click("Hand back", message=card)
    assert not answer.show_alert and "R-0001 is back in the queue" in (answer.text or "")
    await group.wait_for_message(containing="Waiting to be accepted")
    assert card.buttons == [["Accept"], ["Re-route"]] and "Accepted by" not in card.text
    assert await ticket(estate) == ("open", None, 0)
    timers = await estate.query(
        "select kind, status from timers where kind like 'repair.%' order by id"
    )
    assert timers == [
        ("repair.accept_sla", "cancelled"),  # the first acceptance stopped the clock
        ("repair.window_end", "cancelled"),  # zhou's visit is off
        ("repair.accept_sla", "pending"),  # and the clock runs again
    ], timers

    await accepted_by(qian, card, group)
    assert card.buttons == [["Done", "Hand back"], ["💴 Quote"], ["Re-route"]]
    await qian.wait_for_message(containing="the resident's contact")
    told = await alice.wait_for_message(containing="Qian Wei has accepted the job")
    assert "R-0001" in told.text
    assert await ticket(estate) == ("accepted", qian.id, 0)
    assert await actions(estate) == [
        "repair.reported",
        "repair.accepted",
        "repair.handed_back",
        "repair.accepted",
    ]


# -- 6, 7. unhappy residents reopen the job --------------------------------------------------------


async def test_not_fixed_reopens_the_job_with_a_new_card_and_tells_the_supervisor(
    estate: Estate, bot: BotProcess
):
    alice, sun, group = estate.alice, estate.sun, estate.engineering
    await start_staff(sun)
    _, old_card, asked = await job_reported_and_done(estate)

    answer = await alice.click("Not fixed", message=asked)
    assert not answer.show_alert and "reopened" in (answer.text or "")
    told = await alice.wait_for_message(containing="has been reopened")
    assert "R-0001 has been reopened" in told.text
    alert = await sun.wait_for_message(containing="not fixed")
    assert "The resident says R-0001 is not fixed; it has been reopened." in alert.text

    new_card = await group.wait_for_message(
        predicate=lambda m: "Repair R-0001" in m.text and m.message_id != old_card.message_id
    )
    assert "Reopened (1)" in new_card.text and "Waiting to be accepted" in new_card.text
    assert new_card.buttons == [["Accept"], ["Re-route"]]
    assert await ticket(estate) == ("open", None, 1)
    assert (await actions(estate))[-1] == "repair.reopened"
    reason = await estate.query("select data from events where action = 'repair.reopened'")
    assert as_json(reason[0][0])["reason"] == "not_fixed"
    assert await estate.query(
        "select kind from timers where status = 'pending' and kind like 'repair.%'"
    ) == [("repair.accept_sla",)]

    # The job can be done again from the new card, and is then asked about again.
    await accepted_by(estate.zhou, new_card, group)
    await finish_job(estate.zhou, new_card, result="Replaced the whole trap this time.")
    again = await alice.wait_for_message(containing="Is the problem fixed")
    assert "Replaced the whole trap" in again.text


async def test_after_not_fixed_only_the_new_card_offers_accept(estate: Estate, bot: BotProcess):
    group = estate.engineering
    _, old_card, asked = await job_reported_and_done(estate)
    await estate.alice.click("Not fixed", message=asked)
    await group.wait_for_message(
        predicate=lambda m: "Repair R-0001" in m.text and m.message_id != old_card.message_id
    )
    await eventually(lambda: _no_pending_outbox(estate))
    live = [m for m in group.messages if "Repair R-0001" in m.text and m.buttons]
    assert len(live) == 1 and live[0].message_id != old_card.message_id, [
        (m.message_id, m.buttons) for m in live
    ]


async def _no_pending_outbox(estate: Estate) -> bool:
    rows = await estate.query("select count(*) from outbox where status in ('pending', 'sending')")
    return rows == [(0,)]


async def test_a_low_survey_rating_reopens_the_job_and_tells_the_supervisor(
    estate: Estate, bot: BotProcess
):
    alice, sun, group = estate.alice, estate.sun, estate.engineering
    await start_staff(sun)
    _, old_card, asked = await job_reported_and_done(estate)
    survey = await surveyed(estate, asked)

    answer = await answer_survey(alice, survey, "4⭐", "1⭐", "3⭐")  # the work was poor
    assert not answer.show_alert
    assert "We are sorry. R-0001 has been reopened" in (answer.text or "")
    await alice.wait_for_message(containing="Anything you would like to add")
    await alice.send("Still dripping.")
    await alice.wait_for_message(containing="feedback is recorded")
    alert = await sun.wait_for_message(containing="low rating")
    assert "R-0001" in alert.text
    await group.wait_for_message(
        predicate=lambda m: "Repair R-0001" in m.text and m.message_id != old_card.message_id
    )
    assert await ticket(estate) == ("open", None, 1)
    assert await estate.query(
        "select skill, quality, process, rating, comment, answered_at is not null from surveys"
    ) == [(4, 1, 3, 1, "Still dripping.", True)]
    log = await actions(estate)
    assert log[-2:] == ["repair.survey_answered", "repair.reopened"], log
    assert "repair.closed" not in log


# -- 8, 9. the acceptance clock --------------------------------------------------------------------


async def test_an_urgent_job_nobody_accepts_is_escalated_to_the_group_and_the_supervisor(
    estate: Estate, bot: BotProcess
):
    sun, group = estate.sun, estate.engineering
    await register_on_roster(estate.alice)
    await start_staff(sun)
    await start_staff(estate.zhou)
    number = await reported(estate, estate.alice, urgent=True)
    card = await group.wait_for_message(containing=f"URGENT repair {number}")

    assert await estate.fast_forward("repair.accept_sla") == 1  # its 15 minutes are up
    ping = await group.wait_for_message(containing="to be accepted. Who can take it?")
    assert "R-0001 has waited" in ping.text and ping.buttons == [["Accept"]]
    alert = await sun.wait_for_message(containing="has not been accepted")
    assert "R-0001" in alert.text
    breached = await estate.query("select data from events where action = 'repair.sla_breached'")
    assert len(breached) == 1 and as_json(breached[0][0])["deadline"] == "accept"
    assert await estate.query("select status from timers where kind = 'repair.accept_sla'") == [
        ("done",)
    ]

    # The ping's own Accept takes the job; the card follows.
    answer = await estate.zhou.click("Accept", message=ping)
    assert not answer.show_alert, answer
    await group.wait_for_message(containing="Accepted by Zhou Qiang")
    assert card.buttons == [["Done", "Hand back"], ["💴 Quote"], ["Re-route"]]


async def test_an_urgent_job_accepted_in_time_is_not_escalated(estate: Estate, bot: BotProcess):
    sun, group = estate.sun, estate.engineering
    await register_on_roster(estate.alice)
    await start_staff(sun)
    number = await reported(estate, estate.alice, urgent=True)
    card = await group.wait_for_message(containing=f"URGENT repair {number}")
    await accepted_by(estate.zhou, card, group)
    assert await estate.query("select status from timers where kind = 'repair.accept_sla'") == [
        ("cancelled",)
    ]

    # The visit window's end, made to pass now, shows the scheduler has ticked since the
    # acceptance: a ping for the acceptance deadline would be out by then.
    assert await estate.fast_forward("repair.window_end") == 1
    await sun.wait_for_message(containing="the agreed visit window has passed")
    assert not [m for m in group.messages if "Who can take it" in m.text]
    assert not [m for m in sun.messages if "has not been accepted" in m.text]
    breached = await estate.query("select data from events where action = 'repair.sla_breached'")
    assert [as_json(data)["deadline"] for (data,) in breached] == ["window"]


async def test_a_deadline_that_passes_while_the_bot_is_down_fires_once_after_restart(
    estate: Estate, bot: BotProcess
):
    group = estate.engineering
    await register_on_roster(estate.alice)
    number = await reported(estate, estate.alice, urgent=True)
    await bot.kill()  # right after the report: the card may not even be out yet
    assert await estate.fast_forward("repair.accept_sla") == 1  # it passes while nobody runs
    await bot.start()

    await group.wait_for_message(containing="Who can take it", timeout=15)
    # A later job's deadline, made to pass now, shows the scheduler has ticked again since: a
    # second ping for the first job would be out by then.
    later = await reported(
        estate, estate.alice, urgent=True, description="No power in the kitchen sockets."
    )
    assert await estate.fast_forward("repair.accept_sla") == 1
    await group.wait_for_message(predicate=lambda m: f"{later} has waited" in m.text)
    await eventually(lambda: _no_pending_outbox(estate))
    pings = [m for m in group.messages if f"{number} has waited" in m.text]
    assert len(pings) == 1, group.transcript()
    assert len([m for m in group.messages if f"URGENT repair {number}" in m.text]) == 1
    assert (await actions(estate)).count("repair.sla_breached") == 2  # once for each job
    assert await estate.query(
        "select status, attempts from timers where kind = 'repair.accept_sla' order by id"
    ) == [("done", 1), ("done", 1)]
    # Sun never opened a private chat with the bot, so the bot may not write to him first: the
    # escalation goes to the front desk group instead of into a 403.
    assert (
        await estate.query("select status from outbox where chat_id = :id", id=estate.sun.id) == []
    )
    await estate.front_desk.wait_for_message(containing="has not been accepted")


# -- 10. a resident who blocked the bot ------------------------------------------------------------


async def test_a_resident_who_blocked_the_bot_is_recorded_and_the_job_goes_on(
    estate: Estate, bot: BotProcess
):
    alice, zhou, group = estate.alice, estate.zhou, estate.engineering
    await register_on_roster(alice)
    await start_staff(zhou)
    number = await reported(estate, alice)
    card = await group.wait_for_message(containing=f"Repair {number}")
    alice.block_bot()

    await accepted_by(zhou, card, group)
    contact = await zhou.wait_for_message(containing="the resident's contact")
    assert "13800000001" in contact.text.replace(" ", "")
    await eventually(
        lambda: estate.query(
            "select blocked_at from telegram_users where id = :id and blocked_at is not null",
            id=alice.id,
        )
    )
    # A message to her either bounced (403: settled as blocked) or, when Telegram's block notice
    # came first, was never sent (recorded as a message that found no way to her).
    assert await estate.query(
        "select status from outbox where chat_id = :id and status = 'blocked'"
        " union all select action from events where action = 'reach.fallback'"
        " and subject_id = :id",
        id=alice.id,
    )
    # The department hears that she cannot be reached through the bot (as soon as Telegram
    # reports the block, or at the first message that bounces).
    warning = await _blocked_warning(estate, group)
    assert "Alice" in warning.text and "R-0001" in warning.text
    assert "13800000001" not in warning.text.replace(" ", "")
    assert "repair.resident_unreachable" in await actions(estate)

    await finish_job(zhou, card)  # the work goes on without her
    await group.wait_for_message(containing="Done by Zhou Qiang")
    assert (await ticket(estate))[0] == "done"


async def test_the_department_is_told_once_that_a_resident_cannot_be_reached(
    estate: Estate, bot: BotProcess
):
    alice, zhou, group = estate.alice, estate.zhou, estate.engineering
    await register_on_roster(alice)
    await start_staff(zhou)
    number = await reported(estate, alice)
    card = await group.wait_for_message(containing=f"Repair {number}")
    alice.block_bot()
    await accepted_by(zhou, card, group)
    await _blocked_warning(estate, group)
    await finish_job(zhou, card)  # Alice would be asked to sign off: she cannot be
    await eventually(lambda: _no_pending_outbox(estate))
    warnings = [m for m in group.messages if "has blocked the bot" in m.text]
    assert len(warnings) == 1, group.transcript()


async def _blocked_warning(estate: Estate, group: SandboxGroup) -> SandboxMessage:
    def found() -> SandboxMessage | None:
        return next((m for m in group.messages if "has blocked the bot" in m.text), None)

    await estate.sandbox.wait_until(found)
    message = found()
    assert message is not None
    return message


# -- 11. lists -------------------------------------------------------------------------------------


async def test_my_lists_only_the_residents_own_jobs_and_queue_lists_the_groups_open_jobs(
    estate: Estate, bot: BotProcess
):
    alice, bob, zhou, group = estate.alice, estate.bob, estate.zhou, estate.engineering
    await register_on_roster(alice)
    await register_with_approval(estate, bob)
    await alice.send("/my")
    await alice.wait_for_message(containing="no repair requests yet")

    mine = await reported(estate, alice)
    card = await group.wait_for_message(containing=f"Repair {mine}")
    theirs = await reported(
        estate,
        bob,
        category="Electricity",
        urgent=True,
        description="No power in the kitchen sockets since last night.",
    )
    assert (mine, theirs) == ("R-0001", "R-0002")
    await accepted_by(zhou, card, group)

    await alice.send("/my")
    listing = await alice.wait_for_message(containing="Your repair requests")
    assert "R-0001 Water and drains: accepted" in listing.text, listing.text
    assert "reported" in listing.text and "accepted" in listing.text
    assert "R-0002" not in listing.text and "Electricity" not in listing.text
    await bob.send("/my")
    listing = await bob.wait_for_message(containing="Your repair requests")
    assert "R-0002 Electricity: waiting to be accepted" in listing.text
    assert "R-0001" not in listing.text

    await group.send(zhou, "/queue")
    queue = await group.wait_for_message(containing="open jobs")
    lines = queue.text.splitlines()
    assert lines[0] == "2 open jobs", lines
    assert lines[1].startswith("🚨 R-0002: waiting to be accepted") and "nobody yet" in lines[1]
    assert lines[2].startswith("R-0001: accepted") and lines[2].endswith("Zhou Qiang")
    await estate.front_desk.send(estate.wang, "/queue")  # the front desk follows them all
    everything = await estate.front_desk.wait_for_message(containing="every department")
    lines = everything.text.splitlines()
    assert lines[:2] == ["2 open jobs, every department", "Engineering (2)"], lines
    assert lines[2].startswith("🚨 R-0002") and lines[3].startswith("R-0001"), lines
