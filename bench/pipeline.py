"""The desk's own cost per update, without HTTP: record, handle, send, in one process.

Each update goes the way the running bot takes it (`Inbox.record` in a transaction of its own,
`Desk.handle`, whose commit hands the reply to the sender, which "sends" and settles it; with
`--no-hand-off`, the sender's pass claims it first, as before), on an SQLite file, with a
transport that answers at once and no overall limit. What is left is the durable
design's own price: the statements and transactions per update, and the CPU they cost.

    .venv/bin/python bench/pipeline.py                 # 150 registrations, 750 updates
    .venv/bin/python bench/pipeline.py --residents 50 --runs 5

It prints CPU per update (the lowest of `--runs`, as other work on the machine only ever adds to
it), the wall time per update, and the SQL statements per update (BEGIN included when
SQLAlchemy sends it). The estate and its people come from the domain tests' harness.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.incoming import Incoming  # noqa: E402
from bot.core.sender import OutboxSender, SenderLimits  # noqa: E402
from tests.domain.harness import Clock, Estate, Person, estate_config, local  # noqa: E402

WARM_UP = 10  # registrations before the clock starts (imports, caches, first statements)


class InstantTransport:
    """Telegram answering every call at once with a new message id."""

    def __init__(self) -> None:
        self.calls = 0

    async def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self.calls += 1
        return {"message_id": self.calls, "chat": {"id": params.get("chat_id")}}


async def run(residents: int, hand_off: bool) -> tuple[float, float, float]:
    """CPU ms, wall ms and statements per update over `residents` registrations."""
    with tempfile.TemporaryDirectory() as folder:
        estate = await Estate.open(
            estate_config(), Clock(local(2026, 9, 21, 10)), f"sqlite+aiosqlite:///{folder}/e.db"
        )
        limits = SenderLimits(per_second=1_000_000, private_burst=1_000_000)
        sender = OutboxSender(
            estate.db, estate.estate_id, InstantTransport(), estate.renderer,
            estate.desk.language_for, limits,
        )  # fmt: skip
        if hand_off:
            estate.db.hand_off = sender.takes_hand_off
            estate.db.commit_listeners.append(sender.committed)
        statements = 0

        def count(*_args: Any) -> None:
            nonlocal statements
            statements += 1

        event.listen(estate.db.engine.sync_engine, "before_cursor_execute", count)
        update_ids = iter(range(1_000_000, 2_000_000))

        async def step(person: Person, **content: Any) -> None:
            update_id = next(update_ids)
            async with estate.db.uow(estate.estate_id) as uow:
                await uow.inbox.record([{"update_id": update_id}])
                await uow.commit()
            await estate.desk.handle(
                Incoming(
                    update_id=update_id, user_id=person.id, first_name=person.first_name,
                    last_name=None, language_code="en", chat_id=person.id, chat_type="private",
                    **content,
                )
            )  # fmt: skip
            if hand_off:  # as the running bot: the reply was handed over on commit
                await asyncio.gather(*sender._handing)
            if sender._wake.is_set() or not hand_off:  # rows left for a pass
                sender._wake.clear()
                await sender.deliver_due()
                while sender._more:  # as the sender's loop does after a full pass
                    await sender.deliver_due()

        async def register(index: int) -> None:
            """Not on the roster: /start, share the phone, building, entrance, room."""
            person = Person(5000 + index, f"Resident{index}", phone=f"+86139{index:08d}")
            await step(person, text="/start")
            await step(person, contact_phone=person.phone, contact_user_id=person.id)
            for answer in (1 + index % 20, 1 + index % 4, 101 + index):
                await step(person, text=str(answer))

        for index in range(WARM_UP):
            await register(index)
        before, cpu, wall = statements, time.process_time(), time.perf_counter()
        for index in range(WARM_UP, WARM_UP + residents):
            await register(index)
        updates = residents * 5
        cpu_ms = (time.process_time() - cpu) * 1000 / updates
        wall_ms = (time.perf_counter() - wall) * 1000 / updates
        await estate.close()
        return cpu_ms, wall_ms, (statements - before) / updates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=150, help="registrations timed")
    parser.add_argument("--runs", type=int, default=3, help="runs; the lowest CPU is printed")
    parser.add_argument(
        "--no-hand-off",
        action="store_true",
        help="every reply through the sender's passes (before the hand-over on commit)",
    )
    args = parser.parse_args()
    results = [asyncio.run(run(args.residents, not args.no_hand_off)) for _ in range(args.runs)]
    cpu, wall, statements = min(results)
    print(
        f"{args.residents * 5} updates (lowest CPU of {args.runs} runs): "
        f"CPU {cpu:.2f} ms per update, wall {wall:.2f} ms, {statements:.1f} statements per update"
    )


if __name__ == "__main__":
    main()
