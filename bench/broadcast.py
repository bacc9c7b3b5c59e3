"""A notice to 10,000 residents through the sandbox Telegram, with Telegram's limits enforced.

What is measured. The sandbox runs in this process with `strict_limits=True`: more than 30
messages in any second (or 20 a minute to one group) is answered 429 with `retry_after`, as
Telegram does. The real bot runs as its own process (`python -m bot.cli run`, SQLite in a
temporary folder). `--recipients` residents are written to its database as registered
(their accounts opened a private chat with the bot), an admin opens the private chat
and sends `/broadcast` (the text, no photo, Everyone, Submit), and the campaign runs to the end.

While it runs, `--talkers` of the same residents keep writing `/help`, one after the other,
each waiting for its answer: the latency of those replies (from the moment the update is
enqueued in the sandbox to the moment the bot's answer reaches the sandbox) shows whether a
person talking to the bot waits behind the campaign.

Printed: messages per second (overall, and the most in any one second) against the 30/s limit,
429s received, recipients who got the notice not at all (lost) or more than once (duplicated),
the progress message's edits, and p50/p99 of the replies.

    python bench/broadcast.py [--recipients 10000] [--talkers 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import Counter, deque
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The sibling benchmark's bot process and CLI helpers (this folder is on the path when run).
from registration import (  # noqa: E402
    BotProcess,
    base_env,
    cpu_seconds,
    estate_config,
    roster_phone,
    run_cli,
)

from bot.sandbox import SandboxServer, SandboxUser  # noqa: E402
from storage.models import Broadcast, Estate, Resident, TelegramUser, Unit  # noqa: E402

NOTICE = "Bench notice: the water is off on Thursday from 9:00 to 12:00."
HELP_REPLY = "What I can do"
LIMIT = 30  # messages a second, Telegram's and the sandbox's


def unit_of(index: int) -> tuple[int, int, int]:
    """50 buildings, 4 entrances, as many rooms as it takes."""
    return 1 + index % 50, 1 + (index // 50) % 4, 101 + index // 200


def register_all(database: Path, residents: list[SandboxUser]) -> None:
    """Every resident as the bot records one who registered: their home, their roster row
    linked to their account, and the account, which opened the private chat. Written
    directly: importing and registering 10,000 people is not what is measured here."""
    engine = create_engine(f"sqlite:///{database}")
    now = datetime.now(UTC)
    with engine.begin() as connection:
        estate_id = connection.execute(select(Estate.id)).scalar_one()
        connection.execute(
            Unit.__table__.insert(),
            [
                dict(zip(("building", "entrance", "room"), map(str, unit_of(i)), strict=True))
                | {"estate_id": estate_id}
                for i in range(len(residents))
            ],
        )
        ids = {
            (building, entrance, room): unit_id
            for unit_id, building, entrance, room in connection.execute(
                select(Unit.id, Unit.building, Unit.entrance, Unit.room)
            )
        }
        units = [ids[tuple(map(str, unit_of(i)))] for i in range(len(residents))]
        connection.execute(
            TelegramUser.__table__.insert(),
            [
                {"id": u.id, "first_name": u.first_name, "private_chat_at": now, "created_at": now}
                for u in residents
            ],
        )
        connection.execute(
            Resident.__table__.insert(),
            [
                {
                    "estate_id": estate_id,
                    "unit_id": unit_id,
                    "name": user.full_name,
                    "phone": f"+86{roster_phone(index).replace(' ', '')}",
                    "telegram_user_id": user.id,
                    "source": "roster",
                    "verified_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
                for index, (user, unit_id) in enumerate(zip(residents, units, strict=True))
            ],
        )
    engine.dispose()


def campaign_done(database: Path) -> bool:
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            statuses = connection.execute(select(Broadcast.status)).scalars().all()
    finally:
        engine.dispose()
    return bool(statuses) and all(s == "done" for s in statuses)


async def talk(user: SandboxUser, stop: asyncio.Event, latencies: list[float]) -> None:
    """/help, wait for the answer, again, until the campaign is over."""
    sandbox: SandboxServer = user._sandbox
    while not stop.is_set():
        sent_at = time.monotonic()
        await user.send("/help")
        reply = await user.wait_for_message(containing=HELP_REPLY, timeout=120)
        arrived = next(
            (
                call.received_at
                for call in reversed(sandbox.calls)
                if call.method == "sendMessage"
                and isinstance(call.result, dict)
                and call.result.get("message_id") == reply.message_id
                and call.result.get("chat", {}).get("id") == user.id
            ),
            time.monotonic(),
        )
        latencies.append((arrived - sent_at) * 1000)
        await asyncio.sleep(0.5)


def peak(times: list[float], span: float = 1.0) -> int:
    """The most events in any window of `span` seconds."""
    window: deque[float] = deque()
    most = 0
    for t in sorted(times):
        window.append(t)
        while window[0] <= t - span:
            window.popleft()
        most = max(most, len(window))
    return most


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def run(args: argparse.Namespace, folder: Path) -> int:
    async with SandboxServer(strict_limits=True) as sandbox:
        front_desk = sandbox.add_group("Front desk")
        admin = sandbox.add_user("Bench", last_name="Admin")
        residents = [
            sandbox.add_user(f"Resident{i}", last_name="Bench") for i in range(args.recipients)
        ]
        (folder / "estate.toml").write_text(
            estate_config(front_desk, admin, role="admin"), encoding="utf-8"
        )
        database = folder / "estate.sqlite3"
        env = base_env() | {
            "ESTATE_BOT_TOKEN": sandbox.token,
            "ESTATE_TELEGRAM_API": sandbox.base_url,
            "ESTATE_DATA_DIR": str(folder / "data"),
            "ESTATE_CONFIG": str(folder / "estate.toml"),
            "ESTATE_DATABASE_URL": f"sqlite:///{database}",
            "ESTATE_LOG_LEVEL": "INFO",
        }
        # One resident through the CLI creates the estate; the others are written directly.
        roster = "building,entrance,room,name,phone\n0,0,0,Warmup,13700000000\n"
        (folder / "roster.csv").write_text(roster, encoding="utf-8")
        await run_cli(env, folder, "residents", "import", str(folder / "roster.csv"))
        register_all(database, residents)
        bot = BotProcess("estate-bot", [sys.executable, "-m", "bot.cli", "run"], env, folder)
        await bot.start()
        try:
            await admin.send("/start")
            await admin.wait_for_message(containing="registered as staff", timeout=60)
            await admin.send("/broadcast")
            await admin.wait_for_message(containing="Write the notice", timeout=30)
            await admin.send(NOTICE)
            await admin.wait_for_message(containing="Add a photo", timeout=30)
            await admin.click("Skip")
            await admin.wait_for_message(containing="Who should receive it", timeout=30)
            await admin.click("Everyone")
            await admin.wait_for_message(containing="Tap Submit", timeout=30)
            first_call = len(sandbox.calls)
            cpu_before = cpu_seconds(bot.pid)
            started = time.monotonic()
            await admin.click("Submit")
            stop = asyncio.Event()
            latencies: list[float] = []
            talkers = [
                asyncio.ensure_future(talk(user, stop, latencies))
                for user in residents[: args.talkers]
            ]
            while not campaign_done(database):
                if bot.exited():
                    raise RuntimeError(f"the bot exited:\n{bot.log_tail()}")
                if time.monotonic() - started > args.budget:
                    print(f"  ! not finished within {args.budget:.0f}s")
                    break
                await asyncio.sleep(1.0)
            await admin.wait_for_message(containing="Finished.", timeout=60)
            finished = time.monotonic()
            cpu_after = cpu_seconds(bot.pid)
            stop.set()
            await asyncio.gather(*talkers, return_exceptions=True)
        finally:
            await bot.stop()
        calls = sandbox.calls[first_call:]
        resident_ids = {user.id for user in residents}
        notices = [
            call
            for call in calls
            if call.method == "sendMessage"
            and call.status == 200
            and int(call.params.get("chat_id", 0)) in resident_ids
            and NOTICE in str(call.params.get("text", ""))
        ]
        refused = sum(1 for call in calls if call.status == 429)
        sends = [c.received_at for c in calls if c.status == 200 and c.method.startswith("send")]
        received = Counter(sum(NOTICE in m.text for m in user.messages) for user in residents)
        lost = received.get(0, 0)
        duplicated = sum((n - 1) * people for n, people in received.items() if n > 1)
        edits = sum(
            1
            for call in calls
            if call.method == "editMessageText" and int(call.params.get("chat_id", 0)) == admin.id
        )
        wall = finished - started
        first = min(c.received_at for c in notices) if notices else started
        last = max(c.received_at for c in notices) if notices else finished
        rate = len(notices) / max(last - first, 1e-9)
        cpu = f"{cpu_after - cpu_before:.1f} s" if cpu_before is not None and cpu_after else "n/a"
        print(f"broadcast to {args.recipients} residents, {args.talkers} talking meanwhile")
        print(f"  wall time          {wall:.1f} s (Submit to the final progress edit)")
        print(f"  notices sent       {len(notices)}")
        print(f"  messages/s         {rate:.1f} (limit {LIMIT}); busiest second {peak(sends)}")
        print(f"  429s received      {refused}")
        print(f"  lost               {lost}")
        print(f"  duplicated         {duplicated}")
        print(f"  progress edits     {edits}")
        print(
            f"  replies during it  {len(latencies)}: p50 {percentile(latencies, 50):.0f} ms, "
            f"p99 {percentile(latencies, 99):.0f} ms"
        )
        print(f"  bot CPU            {cpu}")
        return 0 if lost == 0 and duplicated == 0 else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--talkers", type=int, default=20)
    parser.add_argument("--budget", type=float, default=1800.0, help="seconds, at most")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="estate-bench-") as folder:
        return asyncio.run(run(args, Path(folder)))


if __name__ == "__main__":
    raise SystemExit(main())
