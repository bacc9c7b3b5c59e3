"""`estate-bot demo`: the real bot, against the built-in sandbox Telegram, on a scripted tour.

Nothing here is a mock of the bot: the sandbox is a Bot API server on 127.0.0.1, and the bot is the
same `Runtime` that `estate-bot run` starts, with its own database in a temporary folder. The tour
plays residents and staff tapping buttons, ends with a supervisor's monthly report (its chart is
left in the current folder), then prints every chat as a transcript.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path

from bot.runtime import Runtime
from bot.sandbox import SandboxGroup, SandboxServer, SandboxUser
from bot.settings import load_settings
from handlers.config import load_estate_config
from handlers.roster_import import RosterRow, import_roster

log = logging.getLogger(__name__)

Scene = Callable[[], Awaitable[None]]
CHART_FILE = "estate-bot-demo-report.png"
"""Where the tour leaves the monthly report's chart, in the current folder, to be looked at."""


def demo_config(groups: dict[str, SandboxGroup], staff: list[tuple[SandboxUser, str, str]]) -> str:
    """An estate config naming the sandbox's groups and users, with short timings for a tour."""
    lines = [
        "[estate]",
        'name = "Sunrise Gardens"',
        'timezone = "Asia/Shanghai"',
        'default_language = "en"',
        "",
        "[calendar]",
        'holidays = "chinese-calendar"',
        "",
        "[timings]",
        'repair_survey_delay = "2s"  # the next working day in real life',
        'complaint_callback = "2s"  # within 3 working days in real life',
        'callback_reminder = "3s"  # a working day in real life',
        "",
        "[release_slips]",
        'window_grace = "12h"  # so a morning slip works at any hour of the tour',
        "",
    ]
    for key, group in groups.items():
        lines += [
            "[[departments]]",
            f'key = "{key}"',
            f'name = "{group.title}"',
            f"chat_id = {group.id}",
            "",
        ]
    for user, role, department in staff:
        lines += [
            "[[staff]]",
            f"telegram_id = {user.id}",
            f'name = "{user.full_name}"',
            f'role = "{role}"',
            f'department = "{department}"',
            "",
        ]
    return "\n".join(lines)


async def run_demo(out: Callable[[str], None] = print, engine: str = "ptb") -> int:
    """Run the tour; returns the process exit code (0 when every scene played out)."""
    logging.basicConfig(level=logging.WARNING)
    async with SandboxServer() as sandbox:
        front_desk = sandbox.add_group("Front desk")
        engineering = sandbox.add_group("Engineering")
        security = sandbox.add_group("Security")
        finance = sandbox.add_group("Finance")
        xu = sandbox.add_user("Xu", last_name="Lan", language_code="en")
        ma = sandbox.add_user("Ma", last_name="Jun", language_code="en")
        wang = sandbox.add_user("Wang", last_name="Fang", language_code="en")
        zhou = sandbox.add_user("Zhou", last_name="Qiang", language_code="en")
        sun = sandbox.add_user("Sun", last_name="Li", language_code="en")
        alice = sandbox.add_user(
            "Alice", last_name="Chen", language_code="en", phone="+8613800000001"
        )
        bob = sandbox.add_user("Bob", last_name="Li", language_code="en", phone="+8613900000002")
        chen = sandbox.add_user(
            "陈", last_name="静", language_code="zh-hans", phone="+8613700000003"
        )
        with tempfile.TemporaryDirectory(prefix="estate-bot-demo-") as folder:
            config_path = Path(folder) / "estate.toml"
            config_path.write_text(
                demo_config(
                    {
                        "front_desk": front_desk,
                        "engineering": engineering,
                        "security": security,
                        "finance": finance,
                    },
                    [
                        (wang, "front_desk", "front_desk"),
                        (xu, "finance", "finance"),
                        (ma, "guard", "security"),
                        (zhou, "technician", "engineering"),
                        (sun, "supervisor", "engineering"),
                    ],
                ),
                encoding="utf-8",
            )
            settings = load_settings(
                _env_file=None,
                bot_token=sandbox.token,
                telegram_api=sandbox.base_url,
                data_dir=Path(folder),
                config=config_path,
                engine=engine,
            )
            config = load_estate_config(config_path)
            runtime = await Runtime.create(settings, config)
            async with runtime.db.uow(runtime.estate_id) as uow:
                await import_roster(
                    uow, [RosterRow(2, "3", "2", "301", "Alice Chen", "138 0000 0001")]
                )
                await uow.commit()
            stop = asyncio.Event()
            running = asyncio.ensure_future(runtime.run_polling(stop))

            async def alice_is_on_the_roster() -> None:
                await alice.send("/start")
                await alice.wait_for_message(containing="share your phone")
                await alice.tap("Share my phone number")
                await alice.wait_for_message(containing="registered as a resident")

            async def bob_is_approved_by_the_front_desk() -> None:
                await bob.send("/start")
                await bob.wait_for_message(containing="share your phone")
                await bob.tap("Share my phone number")
                await bob.wait_for_message(containing="Which building")
                await bob.send("5")
                await bob.wait_for_message(containing="Which entrance")
                await bob.send("1")
                await bob.wait_for_message(containing="Which room")
                await bob.send("502")
                await bob.wait_for_message(containing="Is this right")
                await bob.click("Submit")
                await bob.wait_for_message(containing="sent to the front desk")
                await front_desk.wait_for_message(containing="Registration request")
                await wang.click("Approve", in_chat=front_desk)
                await bob.wait_for_message(containing="confirmed your registration")

            async def chen_registers_in_chinese_and_is_rejected() -> None:
                await chen.send("/start")
                await chen.wait_for_message(containing="分享")
                await chen.tap("分享我的手机号")
                await chen.wait_for_message(containing="哪一栋")
                await chen.send("9")
                await chen.wait_for_message(containing="哪个单元")
                await chen.send("9")
                await chen.wait_for_message(containing="房号")
                await chen.send("909")
                await chen.wait_for_message(containing="正确吗")
                await chen.click("提交")
                await front_desk.wait_for_message(containing="#2")
                await wang.click("Reject", in_chat=front_desk)
                await chen.wait_for_message(containing="未能确认")

            async def zhou_records_the_result(what_was_done: str, material_fee: str) -> None:
                """Done on the newest card in the engineering group, then the result form."""
                await zhou.click("Done", in_chat=engineering)
                await zhou.wait_for_message(containing="what was done")
                await zhou.send(what_was_done)
                await zhou.wait_for_message(containing="Photos of the finished work")
                await zhou.click("Skip")
                await zhou.wait_for_message(containing="Labour fee")
                await zhou.send("0")
                await zhou.wait_for_message(containing="Material fee")
                await zhou.send(material_fee)
                await zhou.wait_for_message(containing="Record this result")
                await zhou.click("Submit")

            async def alice_reports_a_leak_from_report_to_survey() -> None:
                await zhou.send("/start")  # staff open a private chat with the bot once
                await zhou.wait_for_message(containing="registered as staff")
                await alice.click("Report a repair")
                await alice.wait_for_message(containing="What needs repairing")
                await alice.click("Water and drains")
                await alice.click("Building 3")
                await alice.wait_for_message(containing="describe the problem")
                await alice.send("The kitchen sink leaks under the cabinet since this morning.")
                await alice.wait_for_message(containing="up to 3 photos")
                await alice.send_photo()
                await alice.wait_for_message(containing="Photo received")
                await alice.click("Done")
                await alice.wait_for_message(containing="How urgent")
                await alice.click("Urgent")
                await alice.wait_for_message(containing="Which day")
                tomorrow = datetime.now(config.estate.zone).date() + timedelta(days=1)
                await alice.send(tomorrow.isoformat())  # a day can be typed, or tapped
                await alice.wait_for_message(containing="time of day")
                await alice.click("Morning")
                await alice.wait_for_message(containing="Submit this repair")
                await alice.click("Submit")
                await alice.wait_for_message(containing="R-0001")
                await engineering.wait_for_message(containing="R-0001")
                await zhou.click("Accept", in_chat=engineering)
                await zhou.wait_for_message(containing="resident's contact")
                await alice.wait_for_message(containing="accepted the job")
                await zhou_records_the_result("Replaced the trap seal under the sink.", "35")
                await alice.wait_for_message(containing="Is the problem fixed")
                await alice.click("Fixed")
                await alice.wait_for_message(containing="How satisfied", timeout=20)
                await alice.click("5⭐")  # the technician's skill and manner
                await alice.wait_for_message(containing="Question 2 of 3")
                await alice.click("5⭐")  # the quality of the work
                await alice.wait_for_message(containing="Question 3 of 3")
                await alice.click("4⭐")  # the process
                await alice.wait_for_message(containing="Anything you would like to add")
                await alice.send("Quick and tidy, thank you!")
                await alice.wait_for_message(containing="feedback is recorded")
                # Alice pays the ¥35 of materials at the front desk; Wang records it.
                await wang.click("Paid at the front desk", in_chat=front_desk)
                await alice.wait_for_message(containing="payment of ¥35.00 is recorded")

            async def alice_complains_about_noise() -> None:
                await wang.send("/start")
                await wang.wait_for_message(containing="registered as staff")
                await alice.click("Make a complaint")
                await alice.wait_for_message(containing="What is your complaint about")
                await alice.click("Noise and neighbours")
                await alice.wait_for_message(containing="What happened")
                await alice.send("Loud drilling from 502 every night after 22:00 since Monday.")
                await alice.wait_for_message(containing="up to 3 photos")
                await alice.click("Skip")
                await alice.wait_for_message(containing="What would you like us to do")
                await alice.send("Ask them to stop after 22:00.")
                await alice.wait_for_message(containing="Submit this complaint")
                await alice.click("Submit")
                await alice.wait_for_message(containing="C-0001")
                await front_desk.wait_for_message(containing="Complaint C-0001")
                await wang.click("Minor", in_chat=front_desk)
                await alice.wait_for_message(containing="is handling your complaint")
                await wang.click("Reply", in_chat=front_desk)
                await wang.wait_for_message(containing="type your reply")
                await wang.send("We have spoken to 502; renovation work must stop at 20:00.")
                await wang.wait_for_message(containing="Send this to the resident")
                await wang.click("Submit")
                await alice.wait_for_message(containing="Reply to C-0001")
                await wang.click("Resolved", in_chat=front_desk)
                await wang.wait_for_message(containing="what was done")
                await wang.send("502 signed the renovation rules; the guard checks at 20:00.")
                await wang.wait_for_message(containing="corrective action")
                await wang.send("Reminded 502 of the renovation hours in writing.")
                await wang.wait_for_message(containing="preventive action")
                await wang.send("Renovation hours posted in every lift; guards check at 20:00.")
                await wang.wait_for_message(containing="Send this to the resident")
                await wang.click("Submit")
                await alice.wait_for_message(containing="C-0001 is resolved")
                await alice.wait_for_message(containing="Are you satisfied", timeout=20)
                await alice.click("Satisfied")
                await front_desk.wait_for_message(containing="Status: closed")

            async def wang_records_a_repair_alice_phoned_in() -> None:
                await wang.send("/record")  # Alice phones: the front desk types what she says
                await wang.wait_for_message(containing="What are you recording")
                await wang.click("A repair")
                await wang.wait_for_message(containing="How did it come in")
                await wang.click("By phone")
                await wang.wait_for_message(containing="a home or a common area")
                await wang.click("A home")
                await wang.wait_for_message(containing="Which unit")
                await wang.send("3-2-301")
                await wang.wait_for_message(containing="What needs repairing")
                await wang.click("Electricity")
                await wang.click("Building 3")
                await wang.wait_for_message(containing="describe the problem")
                await wang.send("The bathroom light flickers, then goes out; since last night.")
                await wang.wait_for_message(containing="up to 3 photos")
                await wang.click("Skip")
                await wang.wait_for_message(containing="How urgent")
                await wang.click("Normal")
                await wang.wait_for_message(containing="Which day")
                tomorrow = datetime.now(config.estate.zone).date() + timedelta(days=1)
                await wang.send(tomorrow.isoformat())
                await wang.wait_for_message(containing="time of day")
                await wang.click("Afternoon")
                await wang.wait_for_message(containing="Submit this repair")
                await wang.click("Submit")
                await wang.wait_for_message(containing="The resident was told the number")
                await alice.wait_for_message(containing="recorded this request for you (by phone)")
                await engineering.wait_for_message(containing="Recorded by Wang Fang · by phone")

            async def alice_leaves_the_callback_unanswered_and_wang_calls_her() -> None:
                await zhou.click("Accept", in_chat=engineering)  # the light Alice phoned about
                await alice.wait_for_message(containing="accepted the job")
                await zhou_records_the_result("Replaced the bathroom light's driver.", "0")
                await alice.wait_for_message(containing="Is the problem fixed")
                await alice.click("Fixed")
                # Alice does not answer the survey, nor its reminder: silence is a phone task.
                await alice.wait_for_message(containing="How satisfied")
                await alice.wait_for_message(containing="A reminder about R-0002")
                await front_desk.wait_for_message(containing="Callback R-0002")
                number = await wang.click("Show the phone number", in_chat=front_desk)
                out(f"  (a pop-up only Wang sees: {number.text})")
                await wang.click("Satisfied", in_chat=front_desk)
                await front_desk.wait_for_message(containing="Called back by Wang Fang: satisfied")

            async def alice_takes_a_sofa_out_with_a_release_slip() -> None:
                await alice.click("Release slip for goods")
                await alice.wait_for_message(containing="What goes out")
                await alice.send("1 sofa\n2 armchairs")
                await alice.wait_for_message(containing="photo of the goods")
                await alice.click("Skip")
                await alice.wait_for_message(containing="On which day")
                await alice.send(datetime.now(config.estate.zone).date().isoformat())
                await alice.wait_for_message(containing="time of day")
                await alice.click("Morning")
                await alice.wait_for_message(containing="Who carries")
                await alice.click("Someone I authorise")
                await alice.wait_for_message(containing="name of the person")
                await alice.send("Zhang San")
                await alice.wait_for_message(containing="phone number")
                await alice.send("139 1234 5678")
                await alice.wait_for_message(containing="plate number")
                await alice.send("沪A 12345")
                await alice.wait_for_message(containing="Submit it to the front desk")
                await alice.click("Submit")
                await front_desk.wait_for_message(containing="Release slip S-0001")
                await wang.click("Approve", in_chat=front_desk)
                await alice.wait_for_message(containing="Your release slip S-0001")
                # At the gate Ma scans the QR code on Alice's phone, which opens the bot's deep
                # link; the tour reads the code the QR holds from the slip itself.
                async with runtime.db.uow(runtime.estate_id) as uow:
                    slip = await uow.tickets.by_number("slip", 1)
                assert slip is not None
                await ma.send("/start")
                await ma.wait_for_message(containing="registered as staff")
                await ma.send(f"/start slip_{slip.code}")
                await ma.wait_for_message(containing="S-0001 is valid")
                await ma.click("Released")
                await alice.wait_for_message(containing="goods released at the gate")

            async def finance_sends_the_arrears_list_and_alice_pays() -> None:
                due = (datetime.now(config.estate.zone).date() - timedelta(days=5)).isoformat()
                arrears = (
                    "unit,fee type,period,amount,due date\n"
                    f"3-2-301,management,2026-11,1200,{due}\n"
                    f"3-2-301,water,2026-11,80.50,{due}\n"
                )
                await xu.send_document(
                    arrears.encode(), "arrears.csv", caption="/arrears", in_chat=finance
                )
                await finance.wait_for_message(containing="Arrears list arrears.csv imported")
                await alice.wait_for_message(containing="Payment notice")
                await alice.click("I have paid")
                card = await finance.wait_for_message(containing="says they have paid")
                await xu.click("Confirm", message=card, in_chat=finance)
                await alice.wait_for_message(containing="is confirmed. Thank you!")

            async def sun_sends_a_notice_to_every_resident() -> None:
                await sun.send("/start")
                await sun.wait_for_message(containing="registered as staff")
                await sun.send("/broadcast")
                await sun.wait_for_message(containing="Write the notice")
                await sun.send("The water is off on Thursday from 9:00 to 12:00 for repairs.")
                await sun.wait_for_message(containing="Add a photo")
                await sun.click("Skip")
                await sun.wait_for_message(containing="Who should receive it")
                await sun.click("Everyone")
                await sun.wait_for_message(containing="Tap Submit")
                await sun.click("Submit")
                await sun.wait_for_message(containing="Finished.", timeout=20)
                await alice.wait_for_message(containing="The water is off on Thursday")
                await bob.wait_for_message(containing="The water is off on Thursday")

            async def sun_reads_the_monthly_report_and_its_chart() -> None:
                month = datetime.now(config.estate.zone).strftime("%Y-%m")
                await engineering.send(sun, f"/report month {month}")
                chart = await engineering.wait_for_message(
                    containing="This month so far", timeout=30
                )
                await engineering.wait_for_message(containing="Release slips")
                picture = Path.cwd() / CHART_FILE
                picture.write_bytes(sandbox.file_bytes(chart.photos[-1]["file_id"]))
                out(f"The monthly report's chart, as the Engineering group got it: {picture}")

            scenes: list[tuple[str, Scene]] = [
                ("Alice's phone is on the roster: verified at once", alice_is_on_the_roster),
                (
                    "Bob is not on the roster: the front desk approves him",
                    bob_is_approved_by_the_front_desk,
                ),
                (
                    "Chen registers in Chinese; the front desk cannot confirm her",
                    chen_registers_in_chinese_and_is_rejected,
                ),
                (
                    "Alice reports a leak: dispatched, done, signed off, surveyed, fees paid",
                    alice_reports_a_leak_from_report_to_survey,
                ),
                (
                    "Alice complains about noise: triaged, replied, resolved, called back",
                    alice_complains_about_noise,
                ),
                (
                    "Alice phones about a light: the front desk records it, she gets the number",
                    wang_records_a_repair_alice_phoned_in,
                ),
                (
                    "Nobody answers the light's callback: a phone task, Wang calls Alice",
                    alice_leaves_the_callback_unanswered_and_wang_calls_her,
                ),
                (
                    "Alice takes a sofa out: a release slip booked, issued, scanned at the gate",
                    alice_takes_a_sofa_out_with_a_release_slip,
                ),
                (
                    "Finance sends the arrears list: a payment notice, I have paid, confirmed",
                    finance_sends_the_arrears_list_and_alice_pays,
                ),
                (
                    "The supervisor broadcasts a notice: previewed, sent to every resident",
                    sun_sends_a_notice_to_every_resident,
                ),
                (
                    "Sun asks for this month's report: a chart, the KPIs and the figures",
                    sun_reads_the_monthly_report_and_its_chart,
                ),
            ]
            failed = 0
            try:
                for title, scene in scenes:
                    try:
                        await scene()
                        out(f"✓ {title}")
                    except Exception as exc:
                        failed += 1
                        out(f"✗ {title}: {exc}")
            finally:
                stop.set()
                await running
            out("")
            out(sandbox.transcript())
            return 1 if failed else 0


__all__ = ["run_demo"]
