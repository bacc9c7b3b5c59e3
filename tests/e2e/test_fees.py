"""Fees end to end: finance imports the arrears list (command line, or a file sent in the finance
group), residents who owe get the notices, "I have paid" goes to finance, the officer and then
the assistant visit, officers read their chase lists and supervisors the weekly report. Each test
runs the real bot against the sandbox; waits are fast-forwarded, never slept through.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from bot.sandbox import SandboxMessage, SandboxUser
from tests.e2e.conftest import (
    BotProcess,
    Estate,
    all_updates_handled,
    eventually,
    register_on_roster,
    register_with_approval,
    run_cli,
    start_staff,
    write_config,
)

pytestmark = pytest.mark.e2e

ZONE = ZoneInfo("Asia/Shanghai")
HEADER = "unit,fee type,period,amount,due date"


def _due() -> str:
    """A due date already passed, so the balances are overdue whatever day the test runs."""
    return (datetime.now(ZONE).date() - timedelta(days=7)).isoformat()


def owed() -> list[str]:
    return [f"3-2-301,water,2026-11,80.50,{_due()}", f"3-2-301,management,2026-11,1200,{_due()}"]


def write_csv(estate: Estate, *lines: str, name: str = "arrears.csv") -> Path:
    path = estate.folder / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


async def sweep_done(estate: Estate) -> None:
    """The bot's scheduler has brought the cases in line with the last import."""

    async def none_pending() -> bool:
        rows = await estate.query(
            "select count(*) from timers where kind = 'fee.sweep' and status != 'done'"
        )
        return rows == [(0,)]

    await eventually(none_pending)


async def notice_for(alice: SandboxUser, estate: Estate) -> SandboxMessage:
    await run_cli(estate, "arrears", "import", str(write_csv(estate, *owed())))
    return await alice.wait_for_message(containing="Payment notice for Building 3")


async def test_finance_imports_the_list_and_the_residents_who_owe_are_told(
    estate: Estate, bot: BotProcess
):
    alice = estate.alice
    await register_on_roster(alice)
    await register_with_approval(estate, estate.bob)  # 5-1-502: owes nothing, hears nothing
    path = write_csv(
        estate,
        *owed(),
        f"3-2-301,parking,2026-11,100,{_due()}",  # no such fee type
        f"3-2-301,gas,2026-11,-5,{_due()}",  # a negative amount
        f"7-1-702,water,2026-11,30,{_due()}",  # nobody there uses the bot
    )
    said = await run_cli(estate, "arrears", "import", str(path))
    assert "3 new, 0 changed, 0 unchanged, 0 settled, 2 rejected" in said, said
    assert "line 4:" in said and "line 5:" in said, said

    notice = await alice.wait_for_message(containing="Payment notice for Building 3")
    for line in ("Water, 2026-11: ¥80.50", "Management fee, 2026-11: ¥1200.00", "¥1280.50"):
        assert line in notice.text, (line, notice.text)
    await estate.front_desk.wait_for_message(
        containing="nobody at Building 7, entrance 1, room 702 can be written to"
    )

    # Finance's next list, as a spreadsheet with Chinese headers: the water is paid, the
    # management fee corrected; nothing is duplicated and nobody is told twice.
    book = Workbook()
    sheet = book.active
    sheet.append(["房屋", "费用类型", "账期", "金额", "到期日"])
    sheet.append(["3-2-301", "物业费", "2026-11", 1100, _due()])
    sheet.append(["7-1-702", "水费", "2026-11", 30, _due()])
    xlsx = estate.folder / "欠费清单.xlsx"
    book.save(xlsx)
    said = await run_cli(estate, "arrears", "import", str(xlsx))
    assert "0 new, 1 changed, 1 unchanged, 1 settled, 0 rejected" in said, said
    rows = await estate.query(
        "select fee_type, amount, settled_at is null from arrears order by fee_type, id"
    )
    assert [(fee, Decimal(str(amount)), bool(open_)) for fee, amount, open_ in rows] == [
        ("management", Decimal("1100.00"), True),
        ("water", Decimal("80.50"), False),
        ("water", Decimal("30.00"), True),
    ]
    await sweep_done(estate)
    await all_updates_handled(estate)
    assert await estate.query("select count(*) from tickets where kind = 'fee'") == [(2,)]
    assert [m for m in alice.messages if "Payment notice" in m.text] == [notice]
    assert not [m for m in estate.bob.messages if "Payment notice" in m.text]


async def test_a_list_sent_in_the_finance_group_is_imported_and_others_files_are_left(
    estate: Estate, bot: BotProcess
):
    alice = estate.alice
    await register_on_roster(alice)
    data = write_csv(estate, *owed(), f"3-2-301,parking,2026-11,1,{_due()}").read_bytes()
    # Without the caption, the bot does not even see a file in a group (privacy mode).
    await estate.xu.send_document(data, "arrears.csv", in_chat=estate.finance)
    # A technician's list in the finance group, and finance's in another group: refused.
    await estate.zhou.send_document(data, "a.csv", caption="/arrears", in_chat=estate.finance)
    await estate.finance.wait_for_message(containing="Only finance staff")
    await estate.xu.send_document(data, "a.csv", caption="/arrears", in_chat=estate.front_desk)
    await estate.front_desk.wait_for_message(containing="Only finance staff")
    await all_updates_handled(estate)
    assert await estate.query("select count(*) from arrears") == [(0,)]

    await estate.finance.send(estate.xu, "/arrears")
    await estate.finance.wait_for_message(containing="with the caption /arrears")
    await estate.xu.send_document(data, "arrears.csv", caption="/arrears", in_chat=estate.finance)
    report = await estate.finance.wait_for_message(containing="Arrears list arrears.csv")
    assert "2 new, 0 changed, 0 unchanged, 0 settled, 1 refused" in report.text, report.text
    assert "line 4:" in report.text
    await alice.wait_for_message(containing="Payment notice for Building 3")
    # A file that is not a spreadsheet at all gets a reason, not silence.
    await estate.xu.send_document(
        b"\x00\x01garbage", "arrears.xlsx", caption="/arrears", in_chat=estate.finance
    )
    await estate.finance.wait_for_message(containing="could not read this arrears list")


async def test_an_officer_who_reads_chinese_is_told_in_chinese_why_lines_were_refused(
    estate: Estate, bot: BotProcess
):
    xu = estate.xu
    await start_staff(xu)
    await xu.send("/lang")
    await xu.wait_for_message(containing="Choose your language")
    await xu.click("简体中文")
    data = write_csv(
        estate,
        *owed(),
        f"3-2-301,parking,2026/13,10,{_due()}",
        "5-1-101,water,2026-11,-5,soon",
    ).read_bytes()
    await xu.send_document(data, "欠费.csv", caption="/arrears")
    report = await xu.wait_for_message(containing="欠费清单 欠费.csv 已导入")
    assert "新增 2 条" in report.text and "拒收 2 条" in report.text, report.text
    for line in (
        "第 4 行：费用类型“parking”不在可选范围内：物业管理费、水费、电费、燃气费、有偿服务费；"
        "账期“2026/13”不是月份，应写成 2026-11 这样",
        "第 5 行：金额 -5 为负数；清单中只列该户欠缴的金额；"
        "到期日“soon”不是日期，应写成 2026-12-15 这样",
    ):
        assert line in report.text, (line, report.text)
    assert not any(word in report.text for word in ("period", "amount", "line")), report.text
    # A file that is not a list at all: why, in Chinese too.
    await xu.send_document(b"building,room\n3,301\n", "清单.csv", caption="/arrears")
    await xu.wait_for_message(containing="无法读取此欠费清单：清单.csv：表头（第 1 行）缺少")


async def test_the_chase_and_deadline_notices_and_i_have_paid_with_both_answers(
    estate: Estate, bot: BotProcess
):
    alice = estate.alice
    await register_on_roster(alice)
    await notice_for(alice, estate)
    await estate.fast_forward("fee.chase")
    await alice.wait_for_message(containing="these fees are overdue")
    await estate.fast_forward("fee.deadline")
    deadline = await alice.wait_for_message(containing="Deadline notice for Building 3")
    assert "a late fee of 0.05% of the amount owed runs each day: ¥0.64 a day" in deadline.text

    answer = await alice.click("I have paid", message=deadline)
    assert "Finance will check" in answer.text
    card = await estate.finance.wait_for_message(containing="a resident says they have paid")
    answer = await estate.zhou.click("Confirm", message=card, in_chat=estate.finance)
    assert answer.show_alert and "Only finance" in answer.text
    await estate.xu.click("Not received", message=card, in_chat=estate.finance)
    await estate.finance.wait_for_message(containing="Not received (checked by Xu Lan)")
    await alice.wait_for_message(containing="has not received your payment")

    await alice.click("I have paid", message=deadline)
    card = await estate.finance.wait_for_message(containing="a resident says they have paid")
    await estate.xu.click("Confirm", message=card, in_chat=estate.finance)
    await alice.wait_for_message(containing="is confirmed. Thank you!")
    assert await estate.query("select status from tickets where kind = 'fee'") == [("settled",)]


async def test_the_officer_and_the_assistant_visit_and_a_refusal_reaches_the_managers(
    estate: Estate, bot: BotProcess
):
    await bot.stop()
    estate.managers_department = True
    estate.fees = [f'officers = {{ "3" = {estate.li.id} }}', f"assistant = {estate.wang.id}"]
    write_config(estate)
    await bot.start()
    alice, li, wang = estate.alice, estate.li, estate.wang
    await start_staff(li)
    await wang.send("/start")  # reads Chinese
    await wang.wait_for_message(containing="已登记为员工")
    await register_on_roster(alice)
    await notice_for(alice, estate)
    for stage in ("fee.chase", "fee.deadline", "fee.officer_visit"):
        await estate.fast_forward(stage)
    task = await li.wait_for_message(containing="Home visit F-0001")
    assert "Alice Chen, +8613800000001" in task.text and "Total owed: ¥1280.50" in task.text

    await li.click("Record the visit", message=task)
    ask = await li.wait_for_message(containing="How did the visit go?")
    await li.click("Refused to pay", message=ask)
    await li.wait_for_message(containing="What reason did they give")
    await li.send("Says the lift was broken for a month")
    summary = await li.wait_for_message(containing="Record this?")
    await li.click("Submit", message=summary)
    await li.wait_for_message(containing="Recorded for F-0001: refused")

    task = await wang.wait_for_message(containing="上门拜访 F-0001")
    assert "Says the lift was broken for a month" in task.text
    await wang.click("记录拜访结果", message=task)
    ask = await wang.wait_for_message(containing="拜访结果如何")
    await wang.click("拒绝缴费", message=ask)
    await wang.wait_for_message(containing="拒绝缴费的理由")
    await wang.send("仍然拒绝")
    summary = await wang.wait_for_message(containing="确认记录")
    await wang.click("提交", message=summary)
    alert = await estate.managers.wait_for_message(containing="refused to pay after both")
    assert "Reason given: 仍然拒绝" in alert.text and "+8613800000001" not in alert.text
    assert await estate.query("select status from tickets where kind = 'fee'") == [("director",)]


async def test_the_chase_list_the_hand_over_and_the_weekly_report(estate: Estate, bot: BotProcess):
    await bot.stop()
    estate.fees = [f'officers = {{ "3" = {estate.li.id} }}']
    write_config(estate)
    await bot.start()
    li, sun, alice = estate.li, estate.sun, estate.alice
    for staff in (li, sun):
        await start_staff(staff)
    await register_on_roster(alice)
    await notice_for(alice, estate)

    await estate.fast_forward("fee.chase_list")
    todays = await li.wait_for_message(containing="Chase list for")
    assert "1 unit in arrears" in todays.text
    assert "F-0001, Building 3, entrance 2, room 301: ¥1280.50" in todays.text

    await sun.send("/chase")
    overview = await sun.wait_for_message(containing="Chase list for")
    await sun.click("F-0001", message=overview)
    choose = await sun.wait_for_message(containing="Hand F-0001")
    answer = await sun.click("Wang Fang", message=choose)
    assert "now chased by Wang Fang" in answer.text
    assert await estate.query("select officer_user_id from fee_officers") == [(estate.wang.id,)]

    await estate.fast_forward("fee.collection_report")
    report = await sun.wait_for_message(containing="Fee collection, week from")
    # Units on record: Alice's (the roster) only; it owes both fee types.
    assert "❌ Management fee: 0.0% (target 95%), ¥1200.00 outstanding" in report.text
    assert "❌ Water: 0.0% (target 100%), ¥80.50 outstanding" in report.text
    assert "• Building 3: 0 of 1 unit paid up (0.0%), ¥1280.50 outstanding" in report.text
