"""The morning hand-over names at most `LISTED` tickets and counts the rest, so a busy night
still fits one Telegram message."""

from __future__ import annotations

from handlers.on_duty.handover import LISTED, handover_lines
from storage.models import Ticket


def night_complaint(number: int) -> Ticket:
    return Ticket(
        kind="complaint",
        number=number,
        status="new",
        details={"on_duty": {"number": f"C-{number:04d}", "card": number}},
    )


def test_a_busy_night_names_the_first_tickets_and_counts_the_rest() -> None:
    lines = handover_lines([night_complaint(n) for n in range(1, LISTED + 6)])
    assert lines[0] == {"key": "on_duty.handover.title", "params": {"count": LISTED + 5}}
    items = [line for line in lines if line["key"] == "on_duty.handover.item"]
    assert [item["params"]["number"] for item in items] == [
        f"C-{n:04d}" for n in range(1, LISTED + 1)
    ]
    assert lines[-2] == {"key": "on_duty.handover.more", "params": {"count": 5}}
    assert lines[-1]["key"] == "on_duty.handover.follow_up"


def test_a_quiet_stretch_lists_every_ticket_and_counts_none() -> None:
    lines = handover_lines([night_complaint(n) for n in range(1, 4)])
    assert len(lines) == 1 + 3 + 1
    assert all(line["key"] != "on_duty.handover.more" for line in lines)
