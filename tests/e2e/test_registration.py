"""Registration, driven as residents and the front desk would, against the bot process."""

from __future__ import annotations

import asyncio

import pytest

from bot.sandbox import SandboxUser

from .conftest import BotProcess, Estate, eventually

pytestmark = pytest.mark.e2e


async def start(person: SandboxUser) -> None:
    await person.send("/start")
    await person.wait_for_message(containing="share your phone")


async def answer_unit(person: SandboxUser, building: str, entrance: str, room: str) -> None:
    await person.wait_for_message(containing="Which building")
    await person.send(building)
    await person.wait_for_message(containing="Which entrance")
    await person.send(entrance)
    await person.wait_for_message(containing="Which room")
    await person.send(room)
    await person.wait_for_message(containing="Is this right")


async def bob_submits(estate: Estate) -> None:
    await start(estate.bob)
    await estate.bob.tap("Share my phone number")
    await answer_unit(estate.bob, "5", "1", "502")
    await estate.bob.click("Submit")
    await estate.bob.wait_for_message(containing="sent to the front desk")
    await estate.front_desk.wait_for_message(containing="Registration request #1")


async def test_a_resident_on_the_roster_is_verified_when_sharing_their_phone(
    estate: Estate, bot: BotProcess
):
    await start(estate.alice)
    assert estate.alice.reply_keyboard == [["📱 Share my phone number"]]
    await estate.alice.tap("Share my phone number")
    done = await estate.alice.wait_for_message(containing="registered as a resident")
    assert "Building 3, entrance 2, room 301" in done.text
    assert await estate.query("select telegram_user_id, source from residents") == [
        (estate.alice.id, "roster")
    ]
    assert not estate.front_desk.messages  # nothing for the front desk to do


async def test_an_unknown_resident_is_approved_by_the_front_desk(estate: Estate, bot: BotProcess):
    await bob_submits(estate)
    card = estate.front_desk.last_message
    assert card is not None
    assert "Bob Li" in card.text and "Building 5, entrance 1, room 502" in card.text
    assert "+8613900000002" not in card.text and "13900000002" not in card.text  # phone stays out
    assert "0002" in card.text
    assert card.buttons == [["Approve", "Reject"]]

    answer = await estate.wang.click("Approve", in_chat=estate.front_desk)
    assert answer.text == "已批准，已通知住户。"  # in the language of whoever tapped
    told = await estate.bob.wait_for_message(containing="confirmed your registration")
    assert "Building 5, entrance 1, room 502" in told.text
    card = await estate.front_desk.wait_for_message(containing="Approved by Wang Fang")
    assert card.buttons == []
    assert await estate.query(
        "select telegram_user_id, source from residents where source = 'approved'"
    ) == [(estate.bob.id, "approved")]
    assert await estate.query("select status, decided_by from registration_requests") == [
        ("approved", estate.wang.id)
    ]
    actions = [a for (a,) in await estate.query("select action from events order by id")]
    assert "registration.requested" in actions and "registration.approved" in actions

    await estate.bob.send("/start")  # a verified resident is welcomed back, not registered again
    await estate.bob.wait_for_message(containing="Welcome back")


async def test_a_rejected_resident_is_told_and_can_try_again(estate: Estate, bot: BotProcess):
    await bob_submits(estate)
    await estate.li.click("Reject", in_chat=estate.front_desk)
    await estate.bob.wait_for_message(containing="could not confirm your registration")
    await estate.front_desk.wait_for_message(containing="Rejected by Li Na")
    assert await estate.query("select count(*) from residents where source='approved'") == [(0,)]
    await start(estate.bob)


async def test_only_front_desk_staff_can_decide_and_forged_buttons_change_nothing(
    estate: Estate, bot: BotProcess
):
    await bob_submits(estate)
    card = estate.front_desk.last_message
    assert card is not None

    for outsider in (estate.mallory, estate.zhou):  # not staff; staff of another department
        answer = await outsider.click("Approve", in_chat=estate.front_desk)
        assert answer.show_alert and "Only front desk staff" in (answer.text or "")

    forged = await estate.mallory.click_data(
        "1|reg.approve|1", message=card, in_chat=estate.front_desk
    )
    assert forged.show_alert
    for data in ("1|reg.approve|999", "1|reg.delete|1", "garbage", "1|reg.approve|x"):
        answer = await estate.wang.click_data(data, message=card, in_chat=estate.front_desk)
        assert answer.show_alert, data
    assert await estate.query("select status from registration_requests") == [("pending",)]
    assert estate.front_desk.last_message.buttons == [["Approve", "Reject"]]


async def test_two_staff_tapping_at_once_decide_once(estate: Estate, bot: BotProcess):
    await bob_submits(estate)
    first, second = await asyncio.gather(
        estate.wang.click("Approve", in_chat=estate.front_desk),
        estate.li.click("Reject", in_chat=estate.front_desk),
    )
    winners = [a for a in (first, second) if not a.show_alert]
    assert len(winners) == 1
    loser = first if second in winners else second
    assert "already decided" in (loser.text or "")
    decided = await estate.query(
        "select status from registration_requests where status != 'pending'"
    )
    assert len(decided) == 1
    await estate.bob.wait_for_message(containing="front desk", timeout=5)


async def test_wrong_answers_are_refused_politely_and_nothing_is_lost(
    estate: Estate, bot: BotProcess
):
    bob = estate.bob
    await start(bob)
    await bob.send_contact(phone="+8613100000009", user_id=estate.mallory.id, first_name="Mallory")
    await bob.wait_for_message(containing="someone else's contact")
    await bob.send_contact(phone="+8613100000009", user_id=None, first_name="No account")
    await bob.wait_for_message(containing="someone else's contact")
    await bob.send("13900000002")  # typing a number is not proof of owning it
    await bob.wait_for_message(containing="tap the button below")
    await bob.tap("Share my phone number")

    await bob.wait_for_message(containing="Which building")
    await bob.send_sticker()
    await bob.wait_for_message(containing="type your answer as a text")
    await bob.send_photo()
    await bob.wait_for_message(containing="type your answer as a text")
    await bob.send("x" * 5000)
    too_long = await bob.wait_for_message(containing="too long")
    assert "20" in too_long.text and "5000" in too_long.text
    await bob.send("<b>5</b> & co")  # markup typed by a person is shown as typed, never parsed
    await bob.wait_for_message(containing="Which entrance")
    await bob.send("/help")
    await bob.wait_for_message(containing="registering as a resident")
    await bob.wait_for_message(containing="Which entrance")
    await bob.send("1")
    await bob.wait_for_message(containing="Which room")
    await bob.send("502")
    summary = await bob.wait_for_message(containing="Is this right")
    assert "<b>5</b> & co" in summary.text
    bad_calls = [c for c in estate.sandbox.calls if c.status not in (200, None)]
    assert not bad_calls, bad_calls


async def test_edit_from_the_summary_returns_to_it(estate: Estate, bot: BotProcess):
    bob = estate.bob
    await start(bob)
    await bob.tap("Share my phone number")
    await answer_unit(bob, "5", "1", "502")
    await bob.click("Edit")
    await bob.wait_for_message(containing="What would you like to change")
    await bob.click("Room")
    await bob.wait_for_message(containing="Which room")
    await bob.send("503")
    summary = await bob.wait_for_message(containing="Is this right")
    assert "room 503" in summary.text


async def test_cancel_works_at_every_step_and_a_stale_button_is_refused(
    estate: Estate, bot: BotProcess
):
    bob = estate.bob
    await start(bob)
    await bob.send("/cancel")
    await bob.wait_for_message(containing="Registration cancelled")
    await bob.send("/cancel")
    await bob.wait_for_message(containing="nothing to cancel")
    await start(bob)
    await bob.tap("Share my phone number")
    await answer_unit(bob, "5", "1", "502")
    summary = bob.last_message
    submit = summary.callback_data[0][0]
    await bob.click("Submit")
    await bob.wait_for_message(containing="sent to the front desk")
    again = await bob.click_data(submit, message=summary)  # a double tap, or a replayed one
    assert again.show_alert and "already been answered" in (again.text or "")
    assert await estate.query("select count(*) from registration_requests") == [(1,)]


async def test_language_follows_telegram_then_lang_switches_it(estate: Estate, bot: BotProcess):
    wang = estate.wang  # his Telegram is in Chinese
    await wang.send("/help")
    await wang.wait_for_message(containing="员工命令")
    bob = estate.bob
    await start(bob)
    await bob.send("/lang")
    await bob.wait_for_message(containing="Choose your language")
    answer = await bob.click("简体中文")
    assert answer.text == "语言已切换为简体中文。"
    await bob.wait_for_message(containing="分享您的手机号码")  # the current question, again
    await bob.tap("分享我的手机号")
    await bob.wait_for_message(containing="哪一栋")


async def test_a_restart_mid_form_resumes_at_the_same_step(estate: Estate, bot: BotProcess):
    bob = estate.bob
    await start(bob)
    await bob.tap("Share my phone number")
    await bob.wait_for_message(containing="Which building")
    await bob.send("5")
    await bob.wait_for_message(containing="Which entrance")
    await bot.kill()
    await bob.send("1")  # written while the bot is down
    await bot.start()
    await bob.wait_for_message(containing="Which room")
    await bob.send("502")
    summary = await bob.wait_for_message(containing="Is this right")
    assert "Building 5, entrance 1, room 502" in summary.text


async def test_killed_while_sending_nothing_is_lost_or_doubled(estate: Estate, bot: BotProcess):
    bob, sandbox = estate.bob, estate.sandbox
    sandbox.hold("sendMessage")
    await bob.send("/start")
    await sandbox.wait_until(lambda: sandbox.held_count("sendMessage") >= 1)
    await bot.kill()  # decided and committed, mid-delivery
    sandbox.release()
    await bot.start()
    await bob.wait_for_message(containing="share your phone", timeout=15)
    await asyncio.sleep(1.0)
    texts = [m.text for m in bob.messages]
    assert sum("Welcome to the Sunrise Gardens" in t for t in texts) == 1, texts
    assert sum("share your phone" in t for t in texts) == 1, texts


async def test_a_redelivered_update_is_handled_once(estate: Estate, bot: BotProcess):
    bob, sandbox = estate.bob, estate.sandbox
    update = await bob.send("/start")
    assert update is not None
    await bob.wait_for_message(containing="share your phone")
    await sandbox.wait_until(lambda: not sandbox.pending_updates())
    await asyncio.sleep(0.3)
    sandbox.redeliver(update["update_id"])
    await sandbox.wait_until(lambda: not sandbox.pending_updates())
    await asyncio.sleep(1.0)
    assert sum("Welcome" in m.text for m in bob.messages) == 1
    assert await estate.query(
        "select count(*) from incoming_updates where update_id = :id", id=update["update_id"]
    ) == [(1,)]


async def test_429_is_waited_out_and_the_message_still_arrives(estate: Estate, bot: BotProcess):
    sandbox = estate.sandbox
    sandbox.fail_next("sendMessage", status=429, retry_after=2)
    await estate.alice.send("/start")
    await estate.alice.wait_for_message(containing="share your phone", timeout=15)
    calls = sandbox.calls_to("sendMessage")
    refused = [c for c in calls if c.status == 429]
    assert len(refused) == 1
    after = [c for c in calls if c.received_at > refused[0].received_at]
    assert after and min(c.received_at for c in after) - refused[0].received_at >= 1.9
    assert sum("Welcome" in m.text for m in estate.alice.messages) == 1


async def test_a_user_who_blocked_the_bot_is_recorded_and_others_are_served(
    estate: Estate, bot: BotProcess
):
    await bob_submits(estate)
    estate.bob.block_bot()
    await estate.wang.click("Approve", in_chat=estate.front_desk)
    await estate.front_desk.wait_for_message(containing="Approved by Wang Fang")
    await eventually(
        lambda: estate.query(
            "select blocked_at from telegram_users where id = :id and blocked_at is not null",
            id=estate.bob.id,
        )
    )
    # Either the message bounced (403: settled as blocked), or Telegram's block notice came first
    # and the bot did not write to him at all (recorded as a message that found no way to him).
    await eventually(
        lambda: estate.query(
            "select status from outbox where chat_id = :id and status = 'blocked'"
            " union all select action from events where action = 'reach.fallback'"
            " and subject_id = :id",
            id=estate.bob.id,
        )
    )
    await start(estate.alice)  # the bot carries on for everyone else


async def test_a_tap_is_answered_at_once_while_a_pause_holds_the_group_messages(
    estate: Estate, bot: BotProcess
):
    """A 429 on the front desk's card pauses the bot's messages; a resident's button is
    answered meanwhile, and what the tap says in the chat follows the pause."""
    sandbox, alice, bob, group = estate.sandbox, estate.alice, estate.bob, estate.front_desk
    await alice.send("/lang")
    menu = await alice.wait_for_message(containing="Choose your language")
    sandbox.fail_next("sendMessage", status=429, retry_after=4, chat_id=group.id)
    await start(bob)
    await bob.tap("Share my phone number")
    await answer_unit(bob, "5", "1", "502")
    await bob.click("Submit")
    await sandbox.wait_until(lambda: any(c.status == 429 for c in sandbox.calls_to("sendMessage")))

    answer = await alice.click("English", message=menu)
    assert answer.text == "Language set to English."
    answered = sandbox.calls_to("answerCallbackQuery")[-1].received_at
    await group.wait_for_message(containing="Registration request #1", timeout=15)
    told = await alice.wait_for_message(containing="Language set to English")
    card_sent = next(
        c.received_at
        for c in sandbox.calls_to("sendMessage")
        if str(c.params.get("chat_id")) == str(group.id) and c.status == 200
    )
    assert answered < card_sent
    told_at = next(
        c.received_at
        for c in sandbox.calls_to("sendMessage")
        if c.ok
        and c.result
        and c.result.get("message_id") == told.message_id
        and str(c.params.get("chat_id")) == str(alice.id)
    )
    assert answered < told_at
