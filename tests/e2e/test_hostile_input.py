"""Hostile input, end to end: answers made of invisible characters, buttons of questions already
answered (of a form finished before, also across a restart, and of a staff form), and messages
edited in the middle of a form. Against the bot process, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.sandbox import SandboxMessage, SandboxTimeoutError, SandboxUser

from .conftest import (
    BotProcess,
    Estate,
    Reported,
    all_updates_handled,
    register_on_roster,
    report_repair,
    start_staff,
)

pytestmark = pytest.mark.e2e

ALREADY = "This question has already been answered"
INVISIBLE = "only spaces or invisible characters"


def as_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def data_of(message: SandboxMessage, label: str) -> str:
    for labels, datas in zip(message.buttons, message.callback_data, strict=True):
        for text, data in zip(labels, datas, strict=True):
            if label in text and data is not None:
                return data
    raise AssertionError(f"no button {label!r}: {message.buttons}")


async def open_form(estate: Estate, person: SandboxUser) -> tuple | None:
    rows = await estate.query(
        "select flow, step from conversations where user_id = :id and ended_at is null",
        id=person.id,
    )
    return rows[0] if rows else None


async def answers(estate: Estate, person: SandboxUser) -> dict[str, Any]:
    rows = await estate.query("select answers from conversations where user_id = :id", id=person.id)
    return as_json(rows[0][0])


async def test_an_answer_of_zero_width_spaces_is_refused_and_the_question_stays(
    estate: Estate, bot: BotProcess
):
    alice = estate.alice
    await register_on_roster(alice)
    await alice.send("/repair")
    await alice.click("Water and drains", message=await alice.wait_for_message("What needs"))
    await alice.click("Building 3", message=await alice.wait_for_message("Where is it"))
    await alice.wait_for_message(containing="describe the problem")

    await alice.send("\u200b\u200b\u200b")
    refused = await alice.wait_for_message(containing=INVISIBLE)
    assert refused.text == (
        "Your answer shows nothing: it has only spaces or invisible characters. "
        "Please type your answer."
    )
    await alice.send("\u2060 \ufeff \u200b \u3164")
    await alice.wait_for_message(containing=INVISIBLE)
    await alice.send("ab\u200b\u200b\u200b\u200b\u200bc")  # three characters to see, not five
    await alice.wait_for_message(containing="at least 5 characters")
    assert await open_form(estate, alice) == ("repair", "description")

    await alice.send("\u200bThe sink\u200b leaks under the cabinet.\u2060")
    await alice.wait_for_message(containing="up to 3 photos")
    assert (await answers(estate, alice))["description"] == "The sink leaks under the cabinet."


async def test_a_finished_forms_buttons_do_not_answer_the_next_form_even_after_a_restart(
    estate: Estate, bot: BotProcess
):
    bob = estate.bob
    await bob.send("/start")
    await bob.wait_for_message(containing="share your phone")
    await bob.tap("Share my phone number")
    for question, answer in (("Which building", "5"), ("Which entrance", "1"), ("Which room", "2")):
        await bob.wait_for_message(containing=question)
        await bob.send(answer)
    registration = await bob.wait_for_message(containing="Is this right")
    old_cancel = data_of(registration, "Cancel")  # the summary of a five-question form
    await bob.click("Submit", message=registration)
    await bob.wait_for_message(containing="sent to the front desk")
    card = await estate.front_desk.wait_for_message(containing="Registration request")
    await estate.wang.click("Approve", message=card)
    await bob.wait_for_message(containing="confirmed your registration")

    await bob.send("/repair")
    categories = await bob.wait_for_message(containing="What needs repairing")
    await bob.send("/cancel")
    await bob.wait_for_message(containing="cancelled")
    await bot.restart()

    await bob.send("/complain")
    topics = await bob.wait_for_message(containing="What is your complaint about", timeout=30)
    answer = await bob.click("Other", message=categories)  # the repair's, still on screen
    assert answer.show_alert and ALREADY in (answer.text or ""), answer
    assert await open_form(estate, bob) == ("complaint", "topic")
    answer = await bob.click("Noise and neighbours", message=topics)
    assert not answer.show_alert, answer
    await bob.wait_for_message(containing="What happened")
    await bob.send("Loud drilling from 402 every night after 22:00.")
    await bob.click("Skip", message=await bob.wait_for_message(containing="up to 3 photos"))
    await bob.wait_for_message(containing="What would you like us to do")
    await bob.send("Ask them to stop after 22:00.")
    summary = await bob.wait_for_message(containing="Submit this complaint")

    answer = await bob.click_data(old_cancel, message=registration)  # same step count
    assert answer.show_alert and ALREADY in (answer.text or ""), answer
    assert await open_form(estate, bob) == ("complaint", "confirm")
    await bob.click("Submit", message=summary)
    await bob.wait_for_message(containing="registered as C-0001")
    rows = await estate.query("select category from tickets where kind = 'complaint'")
    assert rows == [("noise_neighbours",)]


async def finish_job_keeping_the_summary(
    technician: SandboxUser, card: SandboxMessage, result: str
) -> SandboxMessage:
    """Done on the card, then the private form up to its summary, which is returned."""
    answer = await technician.click("Done", message=card)
    assert not answer.show_alert, answer
    await technician.wait_for_message(containing="what was done")
    await technician.send(result)
    ask = await technician.wait_for_message(containing="Photos of the finished work")
    await technician.click("Skip", message=ask)
    await technician.wait_for_message(containing="Labour fee")
    await technician.send("50")
    await technician.wait_for_message(containing="Material fee")
    await technician.send("35")
    return await technician.wait_for_message(containing="Record this result")


async def test_a_staff_forms_old_buttons_do_not_act_on_the_next_job(
    estate: Estate, bot: BotProcess
):
    alice, zhou, group = estate.alice, estate.zhou, estate.engineering
    await register_on_roster(alice)
    await start_staff(zhou)
    jobs = []
    for description in ("The kitchen sink leaks.", "The hallway light is out."):
        reported = await report_repair(estate, alice, description=description)
        assert isinstance(reported, Reported)
        card = await group.wait_for_message(containing=f"Repair {reported.number}")
        answer = await zhou.click("Accept", message=card)
        assert not answer.show_alert, answer
        jobs.append(card)

    first = await finish_job_keeping_the_summary(zhou, jobs[0], "Replaced the trap seal.")
    submit, cancel = data_of(first, "Submit"), data_of(first, "Cancel")
    await zhou.click("Submit", message=first)
    await zhou.wait_for_message(containing="R-0001 is marked done")

    second = await finish_job_keeping_the_summary(zhou, jobs[1], "Changed the bulb.")
    for old in (submit, cancel):
        answer = await zhou.click_data(old, message=first)
        assert answer.show_alert and ALREADY in (answer.text or ""), (old, answer)
    assert await open_form(estate, zhou) == ("repair_done", "confirm")
    rows = await estate.query("select number, status from tickets order by number")
    assert rows == [(1, "done"), (2, "accepted")]
    await zhou.click("Submit", message=second)
    await zhou.wait_for_message(containing="R-0002 is marked done")
    rows = await estate.query("select number, details from tickets order by number")
    assert [(n, as_json(d)["result"]) for n, d in rows] == [
        (1, "Replaced the trap seal."),
        (2, "Changed the bulb."),
    ]


async def test_an_edit_during_a_form_is_not_taken_and_outside_one_is_ignored(
    estate: Estate, bot: BotProcess
):
    alice = estate.alice
    await register_on_roster(alice)
    await alice.send("/complain")
    await alice.click("Noise and neighbours", message=await alice.wait_for_message("complaint"))
    await alice.wait_for_message(containing="What happened")
    sent = await alice.send("Loud drilling from 502 every night after 22:00.")
    assert sent is not None
    await alice.wait_for_message(containing="up to 3 photos")

    edited = await alice.edit(sent, "Loud drilling and hammering from 502 after 22:00.")
    assert edited is not None  # the bot asked Telegram for edits
    note = await alice.wait_for_message(containing="I don't read edited messages")
    assert "tap ✏️ Edit on the summary before you submit" in note.text
    again = await alice.wait_for_message(containing="up to 3 photos")
    assert again.buttons == [["Skip"]]
    assert (await answers(estate, alice))["what"] == (
        "Loud drilling from 502 every night after 22:00."
    )
    await alice.click("Skip", message=again)
    await alice.wait_for_message(containing="What would you like us to do")
    await alice.send("Ask them to stop after 22:00.")
    summary = await alice.wait_for_message(containing="Submit this complaint")
    assert "Loud drilling from 502 every night after 22:00." in summary.text
    await alice.click("Submit", message=summary)
    await alice.wait_for_message(containing="registered as C-0001")

    await alice.edit(sent, "/complain")  # no form open now: nothing happens
    await all_updates_handled(estate)
    with pytest.raises(SandboxTimeoutError):
        await alice.wait_for_message(timeout=1)
    assert await open_form(estate, alice) is None
