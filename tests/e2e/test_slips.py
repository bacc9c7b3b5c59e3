"""Release slips end to end: a resident books, the front desk issues, the guard checks at the gate,
the security manager reconciles the day. Each test runs the real bot against the sandbox, on
SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from PIL import Image

from bot.sandbox import SandboxMessage, SandboxUser
from tests.e2e.conftest import (
    BotProcess,
    Estate,
    eventually,
    register_on_roster,
    start_staff,
    write_config,
)

pytestmark = pytest.mark.e2e

ZONE = ZoneInfo("Asia/Shanghai")


async def book(
    person: SandboxUser,
    *,
    items: str = "1 sofa\n2 chairs",
    days_ahead: int = 0,
    slot: str = "Morning 9–12",
    carrier: tuple[str, str] | None = None,
    plate: str | None = "沪A 12345",
) -> SandboxMessage:
    """Drive /release to its summary; returns the summary (Submit / Edit / Cancel)."""
    await person.send("/release")
    await person.wait_for_message(containing="What goes out")
    await person.send(items)
    ask = await person.wait_for_message(containing="photo of the goods")
    await person.click("Skip", message=ask)
    await person.wait_for_message(containing="On which day")
    await person.send((datetime.now(ZONE).date() + timedelta(days=days_ahead)).isoformat())
    ask = await person.wait_for_message(containing="At what time of day")
    await person.click(slot, message=ask)
    ask = await person.wait_for_message(containing="Who carries")
    if carrier is None:
        await person.click("Me", message=ask)
    else:
        await person.click("Someone I authorise", message=ask)
        await person.wait_for_message(containing="name of the person")
        await person.send(carrier[0])
        await person.wait_for_message(containing="Their phone")
        await person.send(carrier[1])
    ask = await person.wait_for_message(containing="plate number")
    if plate is None:
        await person.click("Skip", message=ask)
    else:
        await person.send(plate)
    return await person.wait_for_message(containing="Submit it to the front desk")


async def submitted(estate: Estate, person: SandboxUser, **kwargs: object) -> str:
    summary = await book(person, **kwargs)  # type: ignore[arg-type]
    await person.click("Submit", message=summary)
    reply = await person.wait_for_message(containing="is with the front desk")
    return reply.text.split("request ", 1)[1].split(" ", 1)[0]


async def issued(estate: Estate, person: SandboxUser, **kwargs: object) -> tuple[str, str]:
    """Booked and approved by Wang: (number, gate code)."""
    number = await submitted(estate, person, **kwargs)
    card = await estate.front_desk.wait_for_message(containing=f"Release slip {number}")
    answer = await estate.wang.click("Approve", message=card, in_chat=estate.front_desk)
    assert not answer.show_alert, answer.text
    await person.wait_for_message(containing=f"Your release slip {number}")
    return number, await code_of(estate, number)


def scanned(estate: Estate, slip: SandboxMessage) -> str:
    """Read the slip's QR code as a phone camera would: the largest size of its photo."""
    largest = max(slip.photos, key=lambda size: size["width"])
    stored = estate.sandbox.state.files.get(largest["file_id"])
    assert stored is not None
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(stored.data)))
    assert len(found) == 1, found
    return found[0].text


async def code_of(estate: Estate, number: str) -> str:
    rows = await estate.query(
        "select code from tickets where kind = 'slip' and number = :n", n=int(number[2:])
    )
    return rows[0][0]


async def status_of(estate: Estate, number: str) -> str:
    rows = await estate.query(
        "select status from tickets where kind = 'slip' and number = :n", n=int(number[2:])
    )
    return rows[0][0]


# -- booking -------------------------------------------------------------------------------------


async def test_a_resident_books_edits_and_the_front_desk_gets_the_card(
    estate: Estate, bot: BotProcess
):
    alice = estate.alice
    await register_on_roster(alice)
    summary = await book(alice, carrier=("Zhang San", "139 1234 5678"))
    for line in ("Goods: 1 sofa\n2 chairs", "Zhang San, +8613912345678", "Vehicle: 沪A 12345"):
        assert line in summary.text, (line, summary.text)
    await alice.click("Edit", message=summary)
    await alice.wait_for_message(containing="What would you like to change")
    await alice.click("Items")
    await alice.wait_for_message(containing="What goes out")
    await alice.send("1 wardrobe")
    summary = await alice.wait_for_message(containing="Submit it to the front desk")
    assert "Goods: 1 wardrobe" in summary.text
    await alice.click("Submit", message=summary)
    await alice.wait_for_message(containing="S-0001 is with the front desk")

    card = await estate.front_desk.wait_for_message(containing="Release slip S-0001")
    for line in (
        "Applicant: Alice Chen (phone ends 0001)",
        "Verified resident",
        "no fee data",
        "Home: Building 3, entrance 2, room 301",
        "Goods: 1 wardrobe",
        "Zhang San (authorised by the resident)",
        "Carrier's phone ends 5678",
    ):
        assert line in card.text, (line, card.text)
    assert "13912345678" not in card.text.replace(" ", "")  # phones do not go to groups
    assert card.buttons == [["✅ Approve", "✖️ Refuse"]]


async def test_a_resident_can_cancel_the_form_and_a_past_day_is_refused(
    estate: Estate, bot: BotProcess
):
    alice = estate.alice
    await register_on_roster(alice)
    await alice.send("/release")
    await alice.wait_for_message(containing="What goes out")
    await alice.send("1 bicycle")
    ask = await alice.wait_for_message(containing="photo of the goods")
    await alice.click("Skip", message=ask)
    await alice.wait_for_message(containing="On which day")
    yesterday = datetime.now(ZONE).date() - timedelta(days=1)
    await alice.send(yesterday.isoformat())
    await alice.wait_for_message(containing="within the next 15 days")
    await alice.send("/cancel")
    await alice.wait_for_message(containing="no slip was booked")
    assert await estate.query("select count(*) from tickets where kind = 'slip'") == [(0,)]


async def test_someone_not_registered_is_told_to_register_first(estate: Estate, bot: BotProcess):
    bob = estate.bob
    await bob.send("/start")
    await bob.wait_for_message(containing="share your phone")
    await bob.send("/cancel")
    await bob.send("/release")
    await bob.wait_for_message(containing="Please register first")


# -- approval ------------------------------------------------------------------------------------


async def test_approved_the_resident_gets_the_slip_with_its_qr_code(
    estate: Estate, bot: BotProcess
):
    alice = estate.alice
    await register_on_roster(alice)
    number, code = await issued(estate, alice)
    assert number == "S-0001" and len(code) >= 20
    slip = alice.messages[-1]
    assert slip.photos, "the slip carries its QR code as a picture"
    for line in ("Goods: 1 sofa\n2 chairs", "Issued by: Wang Fang", "Show this QR code"):
        assert line in slip.text, (line, slip.text)
    card = await estate.front_desk.wait_for_message(
        predicate=lambda m: "Release slip S-0001" in m.text and "Decided by Wang Fang" in m.text
    )
    assert card.buttons == [] and "Status: issued" in card.text
    # A second tap on the old card (a double tap, or Li a moment later) changes nothing.
    answer = await estate.li.click_data("1|slip.approve|1", message=card, in_chat=estate.front_desk)
    assert answer.show_alert and "no longer applies" in answer.text


async def test_refused_with_a_reason_the_resident_reads(estate: Estate, bot: BotProcess):
    alice, li = estate.alice, estate.li
    await register_on_roster(alice)
    await start_staff(li)
    number = await submitted(estate, alice)
    card = await estate.front_desk.wait_for_message(containing=f"Release slip {number}")
    await li.click("Refuse", message=card, in_chat=estate.front_desk)
    await li.wait_for_message(containing="Why is it refused")
    await li.send("The management fee for 2026 is unpaid; please settle it first.")
    confirm = await li.wait_for_message(containing="Send it?")
    await li.click("Submit", message=confirm)
    told = await alice.wait_for_message(containing=f"{number} was refused")
    assert "management fee for 2026 is unpaid" in told.text
    assert await status_of(estate, number) == "rejected"


async def test_a_resident_or_a_technician_cannot_approve(estate: Estate, bot: BotProcess):
    alice, zhou = estate.alice, estate.zhou
    await register_on_roster(alice)
    number = await submitted(estate, alice)
    card = await estate.front_desk.wait_for_message(containing=f"Release slip {number}")
    answer = await zhou.click_data("1|slip.approve|1", message=card, in_chat=estate.front_desk)
    assert answer.show_alert and "Only front desk staff" in answer.text
    assert await status_of(estate, number) == "requested"


async def test_automatic_approval_for_verified_residents_when_the_estate_allows(
    estate: Estate, bot: BotProcess
):
    await bot.stop()
    estate.release_slips.append("auto_approve = true")
    write_config(estate)
    await bot.start()
    alice = estate.alice
    await register_on_roster(alice)
    summary = await book(alice)
    await alice.click("Submit", message=summary)
    await alice.wait_for_message(containing="S-0001 is approved at once")
    await alice.wait_for_message(containing="Your release slip S-0001")
    card = await estate.front_desk.wait_for_message(containing="Issued automatically")
    assert "Release slip S-0001" in card.text


# -- at the gate ---------------------------------------------------------------------------------


async def test_the_guard_opens_the_slip_by_its_deep_link_and_releases(
    estate: Estate, bot: BotProcess
):
    alice, ma = estate.alice, estate.ma
    await register_on_roster(alice)
    number, code = await issued(estate, alice, carrier=("Zhang San", "139 1234 5678"))
    # The guard scans the QR code on Alice's phone: it holds the bot's deep link with the code.
    link = scanned(estate, alice.messages[-1])
    assert link == f"https://t.me/{estate.sandbox.bot_username}?start=slip_{code}"
    await start_staff(ma)
    await ma.send("/start " + link.split("?start=", 1)[1])  # what Telegram sends on opening it
    view = await ma.wait_for_message(containing=f"Release slip {number} is valid")
    for line in ("Goods: 1 sofa\n2 chairs", "Building 3, entrance 2, room 301", "Zhang San"):
        assert line in view.text, (line, view.text)
    assert view.buttons == [["✅ Released", "⚠️ Does not match"]]
    answer = await ma.click("Released", message=view)
    assert not answer.show_alert, answer.text
    await alice.wait_for_message(containing=f"{number}: goods released at the gate by Ma Jun")
    assert await status_of(estate, number) == "released"
    card = await estate.front_desk.wait_for_message(containing="Released at the gate by Ma Jun")
    assert "Status: used" in card.text

    # Used once: the same code again is refused, saying who released it and when.
    await ma.send(f"/check {code}")
    refused = await ma.wait_for_message(containing="was already used")
    assert "Ma Jun" in refused.text and refused.buttons == []


async def test_the_guard_checks_by_code_in_the_security_group(estate: Estate, bot: BotProcess):
    alice, ma = estate.alice, estate.ma
    await register_on_roster(alice)
    number, code = await issued(estate, alice)
    await estate.security.send(ma, f"/check {code}")
    view = await estate.security.wait_for_message(containing=f"Release slip {number} is valid")
    answer = await ma.click("Released", message=view, in_chat=estate.security)
    assert not answer.show_alert, answer.text
    await eventually(lambda: _status_is(estate, number, "released"))


async def _status_is(estate: Estate, number: str, status: str) -> bool:
    return await status_of(estate, number) == status


async def test_a_mismatch_turns_the_goods_back_to_the_front_desk(estate: Estate, bot: BotProcess):
    alice, ma = estate.alice, estate.ma
    await register_on_roster(alice)
    number, code = await issued(estate, alice)
    await start_staff(ma)
    await ma.send(f"/check {code}")
    view = await ma.wait_for_message(containing="is valid")
    await ma.click("Does not match", message=view)
    await ma.wait_for_message(containing="What did not match")
    await ma.send("Three chairs, not two, and a TV that is not on the slip.")
    confirm = await ma.wait_for_message(containing="Send it?")
    await ma.click("Submit", message=confirm)
    told = await alice.wait_for_message(containing="did not match the slip")
    assert "come to the front desk" in told.text and "TV" in told.text
    desk = await estate.front_desk.wait_for_message(containing="turned back at the gate by Ma Jun")
    assert "TV that is not on the slip" in desk.text
    assert await status_of(estate, number) == "turned_back"
    await ma.send(f"/check {code}")
    await ma.wait_for_message(containing="turned back at the gate")


async def test_every_refusal_at_the_gate_gives_its_reason(estate: Estate, bot: BotProcess):
    alice, ma, mallory = estate.alice, estate.ma, estate.mallory
    await register_on_roster(alice)
    await start_staff(ma)
    # Not yet valid: a slip for two weeks ahead.
    later, later_code = await issued(estate, alice, days_ahead=14)
    await ma.send(f"/check {later_code}")
    await ma.wait_for_message(containing=f"{later} is not valid yet")
    # Cancelled by the resident.
    cancelled, cancelled_code = await issued(estate, alice)
    await alice.send("/my")
    listing = await alice.wait_for_message(containing="Your release slips")
    await alice.click(f"Cancel {cancelled}", message=listing)
    await alice.wait_for_message(containing=f"{cancelled} is cancelled")
    await ma.send(f"/check {cancelled_code}")
    await ma.wait_for_message(containing=f"{cancelled} cannot be used: it is cancelled")
    # Expired: its window ended (fast-forwarded: the test moves the timer, nobody sleeps).
    expired, expired_code = await issued(estate, alice)
    await estate.query_write(
        "update timers set due_at = :now where kind = 'slip.expire' and status = 'pending'"
        " and subject_id = (select id from tickets where kind = 'slip' and number = :n)",
        now=datetime.now(ZoneInfo("UTC")),
        n=int(expired[2:]),
    )
    await alice.wait_for_message(containing=f"{expired} expired unused")
    await ma.send(f"/check {expired_code}")
    await ma.wait_for_message(containing=f"{expired} cannot be used: it is expired unused")
    # A non-guard learns nothing from a real code.
    await mallory.send(f"/start slip_{later_code}")
    refused = await mallory.wait_for_message(containing="Only the estate's guards")
    assert later not in refused.text and "sofa" not in refused.text


async def test_guessed_codes_are_refused_and_rate_limited(estate: Estate, bot: BotProcess):
    alice, ma = estate.alice, estate.ma
    await register_on_roster(alice)
    number, code = await issued(estate, alice)
    await start_staff(ma)
    for guess in ("AAAAAAAAAAAAAAAAAAAAAA", "not-a-code", "x" * 22):  # three failed tries
        await ma.send(f"/check {guess}")
        await ma.wait_for_message(containing="No slip has this code")
    await ma.send(f"/check {code}")  # even the right code must wait now
    await ma.wait_for_message(containing="Please wait 10 minutes")
    assert await status_of(estate, number) == "approved"


async def test_a_restart_between_approval_and_the_gate_loses_nothing(
    estate: Estate, bot: BotProcess
):
    alice, ma = estate.alice, estate.ma
    await register_on_roster(alice)
    number, code = await issued(estate, alice)
    await bot.kill()
    await bot.start()
    await start_staff(ma)
    await ma.send(f"/start slip_{code}")
    view = await ma.wait_for_message(containing=f"Release slip {number} is valid")
    await ma.click("Released", message=view)
    await alice.wait_for_message(containing="goods released at the gate")


# -- the day's reconciliation ----------------------------------------------------------------------


async def test_the_days_reconciliation_is_sent_checked_and_reminded(
    estate: Estate, bot: BotProcess
):
    alice, ma, he = estate.alice, estate.ma, estate.he
    await register_on_roster(alice)
    await start_staff(ma)
    released, code = await issued(estate, alice)
    await ma.send(f"/check {code}")
    view = await ma.wait_for_message(containing="is valid")
    await ma.click("Released", message=view)
    await alice.wait_for_message(containing="goods released")
    await issued(estate, alice)  # issued, still unused

    await estate.fast_forward("slip.reconcile")
    # The security manager never opened a private chat: the department's group gets it.
    report = await estate.security.wait_for_message(containing="Release slips of")
    assert "Issued 2 · released 1 · expired unused 0 · turned back 0" in report.text
    assert f"{released} released" in report.text
    assert report.document is not None and report.document["file_name"].endswith(".csv")
    stored = estate.sandbox.state.files.get(report.document["file_id"])
    assert stored is not None
    csv_text = stored.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert rows[0][:5] == ["slip", "event", "at", "unit", "items"]
    assert sorted((row[0], row[1]) for row in rows[1:]) == [
        ("S-0001", "issued"),
        ("S-0001", "released"),
        ("S-0002", "issued"),
    ]
    assert rows[1][4] == "1 sofa\n2 chairs" and rows[1][3] == "3-2-301"

    # A guard may not sign the day off; the security manager does, once.
    refused = await ma.click("Checked", message=report, in_chat=estate.security)
    assert refused.show_alert
    answer = await he.click("Checked", message=report, in_chat=estate.security)
    assert "checked by He Ping" in answer.text
    again = await he.click("Checked", message=report, in_chat=estate.security)
    assert "already checked" in again.text

    # The morning reminder finds the day checked and stays quiet.
    await estate.fast_forward("slip.reconcile_reminder")
    await eventually(lambda: _reminder_done(estate))
    assert not [m for m in estate.security.messages if "not checked yet" in m.text]


async def _reminder_done(estate: Estate) -> bool:
    rows = await estate.query(
        "select status from timers where kind = 'slip.reconcile_reminder' and status = 'done'"
    )
    return bool(rows)


async def test_an_unchecked_day_is_brought_back_the_next_morning(estate: Estate, bot: BotProcess):
    await register_on_roster(estate.alice)
    await issued(estate, estate.alice)
    await estate.fast_forward("slip.reconcile")
    await estate.security.wait_for_message(containing="Release slips of")
    await estate.fast_forward("slip.reconcile_reminder")
    await estate.security.wait_for_message(containing="are not checked yet")
