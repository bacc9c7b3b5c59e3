"""Broadcasts on the hand-moved clock: the engine feeds the outbox a window at a time, learns
each delivery's end from its outbox row, edits one progress message now and then, and
/broadcast is composed, previewed and sent by a supervisor only.

The sender does not run here: a test settles outbox rows itself, as the sender would.
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from handlers.broadcasts import engine
from handlers.messages import message, text, verbatim
from storage.models import Broadcast, BroadcastDelivery, OutboxMessage, TelegramUser

from .harness import ALICE, SUN, ZHOU, Estate
from .harness import _plain as plain

POLICY = engine.BroadcastPolicy()  # the feature's: its timer feeds with this one
W = POLICY.window
FIRST = 900_001  # simulated residents' Telegram ids


async def people(estate: Estate, count: int, *, blocked: int = 0, silent: int = 0) -> list[int]:
    """`count` accounts that opened a private chat with the bot; the first `blocked` of them
    blocked it since, the next `silent` never wrote to it."""
    ids = list(range(FIRST, FIRST + count))
    async with estate.db.uow(estate.estate_id) as uow:
        for index, user_id in enumerate(ids):
            uow.session.add(
                TelegramUser(
                    id=user_id,
                    first_name=f"R{index}",
                    created_at=uow.now,
                    private_chat_at=None if blocked <= index < blocked + silent else uow.now,
                    blocked_at=uow.now if index < blocked else None,
                )
            )
        await uow.commit()
    return ids


async def start(estate: Estate, recipients: list[int], policy=POLICY) -> int:
    async with estate.db.uow(estate.estate_id) as uow:
        broadcast = await engine.start(
            uow,
            policy,
            message(text("broadcast.notice.heading", estate=verbatim("X")), verbatim("Hello")),
            recipients,
            created_by=SUN.id,
            report_to=SUN.id,
        )
        await uow.commit()
        return broadcast.id


async def deliveries(estate: Estate, status: str) -> int:
    async with estate.db.uow(estate.estate_id) as uow:
        return await uow.session.scalar(
            select(func.count()).where(BroadcastDelivery.status == status)
        )


async def broadcast_rows(estate: Estate) -> list[OutboxMessage]:
    async with estate.db.uow(estate.estate_id) as uow:
        rows = await uow.session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id >= FIRST).order_by(OutboxMessage.id)
        )
        return list(rows)


async def settle(estate: Estate, count: int, status: str = "sent") -> None:
    """The sender settles the oldest `count` pending broadcast rows."""
    async with estate.db.uow(estate.estate_id) as uow:
        ids = list(
            await uow.session.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.chat_id >= FIRST, OutboxMessage.status == "pending")
                .order_by(OutboxMessage.id)
                .limit(count)
            )
        )
        await uow.session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(status=status)
        )
        await uow.commit()


async def progress_sent(estate: Estate) -> None:
    """Telegram took the progress message (Sun's chat), as the sender would at once."""
    async with estate.db.uow(estate.estate_id) as uow:
        await uow.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.chat_id == SUN.id, OutboxMessage.status == "pending")
            .values(status="sent", telegram_message_id=1)
        )
        await uow.commit()


async def progress(estate: Estate) -> list[str]:
    """The progress message as Sun reads it, after each of its edits."""
    async with estate.db.uow(estate.estate_id) as uow:
        rows = list(
            await uow.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.chat_id == SUN.id)
                .order_by(OutboxMessage.id)
            )
        )
    first = next(r for r in rows if r.kind == "send" and "broadcast.progress.title" in str(r.body))
    versions = [first] + [r for r in rows if r.edit_of == first.id]
    return [plain(estate.renderer.text("en", r.body)) for r in versions]


async def test_the_outbox_is_fed_a_window_at_a_time_and_never_twice(estate: Estate):
    ids = await people(estate, 2 * W + 5)
    await start(estate, ids + ids[:5])  # listed twice: written to once
    await estate.tick()
    rows = await broadcast_rows(estate)
    assert [r.chat_id for r in rows] == ids[:W]
    assert {r.priority for r in rows} == {-1}  # behind every conversation reply
    await estate.wait(seconds=1)
    assert len(await broadcast_rows(estate)) == W  # nothing settled: nothing more queued
    await settle(estate, 4)
    await estate.wait(seconds=1)
    rows = await broadcast_rows(estate)
    assert [r.chat_id for r in rows] == ids[: W + 4]
    assert await deliveries(estate, "sent") == 4
    for _ in range(3):
        await settle(estate, W)
        await estate.wait(seconds=1)
    rows = await broadcast_rows(estate)
    assert sorted(r.chat_id for r in rows) == ids  # everyone once, nobody twice
    assert await deliveries(estate, "sent") == 2 * W + 5
    async with estate.db.uow(estate.estate_id) as uow:
        broadcast = await uow.session.scalar(select(Broadcast))
    assert broadcast is not None and broadcast.status == "done" and broadcast.total == 2 * W + 5
    assert await estate.pending("broadcast.") == {}
    assert "Finished." in (await progress(estate))[-1]


async def test_a_replay_of_a_feed_queues_nobody_twice(estate: Estate):
    ids = await people(estate, W + 2)
    broadcast_id = await start(estate, ids)
    for _ in range(3):  # a feed whose timer was taken over after its worker died, say
        async with estate.db.uow(estate.estate_id) as uow:
            await engine.feed(uow, POLICY, broadcast_id)
            await uow.commit()
    assert len(await broadcast_rows(estate)) == W
    assert await deliveries(estate, "queued") == W


async def test_progress_is_edited_at_most_every_few_seconds_and_at_the_end(estate: Estate):
    ids = await people(estate, 7 * 10)
    await start(estate, ids)
    await progress_sent(estate)  # else each edit folds into the message still waiting
    await estate.tick()
    for _ in range(7):  # the sender settles 10 a second
        await settle(estate, 10)
        await estate.wait(seconds=1)
    shown = await progress(estate)
    assert shown[0].startswith("📣 Broadcast #1: 70 recipients")
    assert "Remaining: 70" in shown[0]
    assert len(shown) == 3, shown  # the first, one edit after 5 s, the final one
    assert "Sent: 70 · Failed: 0 · Blocked the bot: 0 · Remaining: 0" in shown[-1]
    # After 5 s at 10 a second, 20 are left: about 2 s at that pace.
    assert "Remaining: 20" in shown[1] and "Time left: about 0 min 2 s" in shown[1]
    assert "Finished." in shown[-1]


async def test_those_who_blocked_the_bot_or_never_started_it_are_counted_not_written_to(
    estate: Estate,
):
    ids = await people(estate, 8, blocked=2, silent=1)
    await start(estate, ids)
    await estate.tick()
    rows = await broadcast_rows(estate)
    assert [r.chat_id for r in rows] == ids[3:]
    await settle(estate, 1, "blocked")  # a 403 on the way: the sender marked them
    await settle(estate, 1, "failed")
    await settle(estate, 10)
    await estate.wait(seconds=1)
    assert await deliveries(estate, "blocked") == 3
    assert await deliveries(estate, "failed") == 2
    assert await deliveries(estate, "sent") == 3
    assert "Sent: 3 · Failed: 2 · Blocked the bot: 3 · Remaining: 0" in (await progress(estate))[-1]


async def test_a_campaign_still_sending_gets_a_feed_at_start_up(estate: Estate):
    ids = await people(estate, 3)
    broadcast_id = await start(estate, ids)
    async with estate.db.uow(estate.estate_id) as uow:
        await uow.timers.cancel(subject_type="broadcast", subject_id=broadcast_id)
        await engine.resume(POLICY)(uow)
        await engine.resume(POLICY)(uow)  # twice: still one feed
        await uow.commit()
    assert list(await estate.pending("broadcast.")) == ["broadcast.feed"]


async def test_a_supervisor_composes_previews_and_sends_a_notice(estate: Estate):
    await estate.send(SUN, "/broadcast")
    assert "Write the notice" in (await estate.last(SUN)).text
    await estate.send(SUN, "Water is off on Thursday from 9:00 to 12:00.")
    await estate.send_photo(SUN, "photo-water")
    ask = await estate.last(SUN)
    assert "Who should receive it" in ask.text
    assert ask.buttons == [
        ["Everyone", "Building 3"],
        ["Units in arrears", "Staff: Front desk"],
        ["Staff: Engineering", "Staff: Management"],
    ]
    mark = await estate.mark()
    await estate.tap(SUN, "Everyone")
    preview, notice, confirm = (await estate.messages(SUN, after=mark))[-3:]
    assert "Preview" in preview.text
    assert notice.text == (
        "📢 Notice from Sunrise Gardens\nWater is off on Thursday from 9:00 to 12:00."
    )
    assert notice.photos == ["photo-water"]
    assert "Send the notice above to: Everyone. Recipients: 1." in confirm.text
    await estate.tap(SUN, "Submit")
    await estate.tick()
    alice = await estate.last(ALICE)
    assert "Water is off on Thursday" in alice.text and alice.photos == ["photo-water"]
    assert "Remaining: 1" in (await progress(estate))[0]


async def test_a_notice_may_carry_a_file(estate: Estate):
    await estate.send(SUN, "/broadcast")
    await estate.send(SUN, "The works schedule for October is attached.")
    await estate.send(SUN, "not a file")
    assert "send one photo or one file" in (await estate.last(SUN)).text
    await estate.send_document(SUN, "doc-schedule")
    await estate.tap(SUN, "Everyone")
    await estate.tap(SUN, "Submit")
    await estate.tick()
    async with estate.db.uow(estate.estate_id) as uow:
        body = await uow.session.scalar(
            select(OutboxMessage.body)
            .where(OutboxMessage.chat_id == ALICE.id)
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        )
    assert body["document"] == {"file_id": "doc-schedule"}
    assert "works schedule" in plain(estate.renderer.text("en", body))


async def test_a_resident_reads_the_heading_in_their_language(estate: Estate):
    async with estate.db.uow(estate.estate_id) as uow:
        await uow.session.execute(
            update(TelegramUser).where(TelegramUser.id == ALICE.id).values(language="zh_Hans")
        )
        await uow.commit()
    await estate.send(SUN, "/broadcast")
    await estate.send(SUN, "Happy Mid-Autumn Festival!")
    await estate.tap(SUN, "Skip")
    await estate.tap(SUN, "Building 3")
    await estate.tap(SUN, "Submit")
    await estate.tick()
    shown = await estate.last(ALICE, language="zh_Hans")
    assert shown.text == "📢 Sunrise Gardens通知\nHappy Mid-Autumn Festival!"


async def test_only_supervisors_and_admins_may_broadcast(estate: Estate):
    await estate.send(ZHOU, "/broadcast")
    assert "Only supervisors and admins" in (await estate.last(ZHOU)).text
    await estate.send(ALICE, "/broadcast")
    assert "Only supervisors and admins" in (await estate.last(ALICE)).text
