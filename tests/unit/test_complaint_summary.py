"""The monthly complaint summary's figures, checked against complaints created for it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.render import Renderer
from handlers.complaints.policy import complaint_policy
from handlers.complaints.reports import summary
from handlers.config import example_config_text, load_estate_config_text
from handlers.messages import text
from storage.database import Database
from storage.migrate import upgrade
from storage.models import Survey, Ticket

START = datetime(2026, 11, 1, tzinfo=UTC)


async def test_summary_counts_topics_severities_breaches_times_and_satisfaction(tmp_path: Path):
    policy = complaint_policy(load_estate_config_text(example_config_text()))
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/s.sqlite3", clock=lambda: START)
    await upgrade(db.engine)
    estate_id = await db.ensure_estate("default", "Test")
    async with db.uow(estate_id) as uow:
        made = []
        for n, (topic, severity, status, reply_h, resolve_h) in enumerate([
            ("noise_neighbours", "major", "closed", 1, 30),
            ("noise_neighbours", "minor", "open", 3, None),
            ("parking", "important", "resolved", 2, 10),
            ("cleanliness", None, "invalid", None, None),
        ], start=1):
            created = START + timedelta(days=n)
            ticket = await uow.tickets.add(Ticket(
                kind="complaint", number=n, status=status, category=topic, severity=severity,
                details={},
            ))
            ticket.created_at = created
            ticket.replied_at = created + timedelta(hours=reply_h) if reply_h else None
            ticket.resolved_at = created + timedelta(hours=resolve_h) if resolve_h else None
            made.append(ticket)
        outside = await uow.tickets.add(Ticket(kind="complaint", number=9, status="open",
                                               category="fees", details={}))
        outside.created_at = START - timedelta(days=3)  # October: not in November's summary
        uow.events.record("complaint.breach", "ticket", made[1].id, actor=None, deadline="reply")
        uow.events.record("complaint.breach", "ticket", made[0].id, actor=None, deadline="resolve")
        uow.session.add_all([
            Survey(ticket_id=made[0].id, telegram_user_id=1, sent_at=START, answered_at=START,
                   rating=5),
            Survey(ticket_id=made[2].id, telegram_user_id=1, sent_at=START, answered_at=START,
                   rating=1),
            Survey(ticket_id=made[2].id, telegram_user_id=2, sent_at=START),
        ])
        await uow.session.flush()
        body = await summary(uow, policy, START, START + timedelta(days=30), text("lang.set"))
        await uow.rollback()
    await db.close()

    rendered = Renderer(policy.timezone).text("en", body)
    assert "4 complaints received" in rendered
    assert "major 1, important 1, minor 1, not triaged 1; invalid 1" in rendered
    assert rendered.index("Noise and neighbours: 2") < rendered.index("Parking: 1")
    assert "Fees" not in rendered
    assert "Deadline breaches: 2" in rendered
    assert "Average time to first reply: 2.0 h" in rendered  # (1 + 3 + 2) / 3
    assert "Average time to resolution: 20.0 h" in rendered  # (30 + 10) / 2
    assert "3 sent, 2 answered, 1 satisfied (50%)" in rendered
    assert "Still open: 2" in rendered  # open and resolved; closed and invalid are done
