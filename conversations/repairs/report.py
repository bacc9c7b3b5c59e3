"""Reporting a repair, as the front desk would take it down on the phone.

1. What is broken? (the estate's categories, each handled by a department)
2. Where: your home, or a common area you describe.
   A common-area fault already being handled: join that job instead of reporting it again.
3. What happened (a description), up to 3 photos.
4. How urgent: a leak, no power or a safety risk is urgent.
5. When may the technician come: a day, and a part of the day.
6. Check and submit: you get the job's number, R-0001.
"""

from __future__ import annotations

from typing import Any

from conversations.steps import (
    AskChoice,
    AskDate,
    AskPhotos,
    AskText,
    Confirm,
    Flow,
    Option,
)
from conversations.summaries import photos_line
from handlers import behalf
from handlers.messages import TextBody, day, localized, text
from handlers.repairs import report
from handlers.repairs.common import REPORT_FORM
from handlers.repairs.policy import RepairPolicy
from handlers.rules.visits import SLOTS
from handlers.units import unit_label


def _where(answers: dict[str, Any]) -> list[Option]:
    homes = [
        Option(f"unit:{unit_id}", unit_label(building, entrance, room))
        for unit_id, building, entrance, room in answers.get("_homes", [])
    ]
    return [*homes, Option("common", text("repair.where.common"))]


def _in_common_area(answers: dict[str, Any]) -> bool:
    return answers.get("where") == "common"


def _duplicate_found(answers: dict[str, Any]) -> bool:
    return "_duplicate" in answers


def _join_options(answers: dict[str, Any]) -> list[Option]:
    return [
        Option("join", text("repair.join.yes", number=answers.get("_duplicate_number", ""))),
        Option("new", text("repair.join.no")),
    ]


def repair_flow(policy: RepairPolicy) -> Flow:
    """The flow for this estate's categories."""
    categories = [Option(c.key, localized(c.names)) for c in policy.categories]

    def summary(answers: dict[str, Any]) -> list[TextBody]:
        category = policy.category(answers.get("category", ""))
        where = next((o.label for o in _where(answers) if o.value == answers.get("where")), None)
        place = (
            text("repair.place.common", place={"key": "", "params": {"value": answers["place"]}})
            if _in_common_area(answers)
            else where or text("repair.where.common")
        )
        return [
            behalf.summary_title(answers, behalf.REPAIR, text("repair.summary")),
            text(
                "repair.card.category",
                category=localized(category.names) if category else answers.get("category"),
            ),
            text("repair.card.place", place=place),
            text(
                "repair.card.description",
                description={"key": "", "params": {"value": answers.get("description", "")}},
            ),
            *photos_line(answers.get("photos")),
            text(f"repair.urgency.{answers.get('urgency', 'normal')}"),
            text(
                "repair.window",
                day=day(answers["day"]) if answers.get("day") else "",
                slot=text(f"repair.slot.{answers.get('slot', 'morning')}"),
                start=f"{SLOTS[answers.get('slot', 'morning')][0]:%H:%M}",
                end=f"{SLOTS[answers.get('slot', 'morning')][1]:%H:%M}",
            ),
        ]

    return Flow(
        name=REPORT_FORM.name,
        steps=(
            AskChoice(name="category", prompt=text("repair.ask_category"), choices=categories),
            AskChoice(name="where", prompt=text("repair.ask_where"), choices=_where),
            AskText(
                name="place",
                prompt=text("repair.ask_place"),
                max_length=200,
                when=_in_common_area,
                then=report.find_duplicate(policy),
            ),
            AskChoice(
                name="join",
                prompt=text("repair.ask_join"),
                choices=_join_options,
                when=_duplicate_found,
                then=report.join_duplicate(policy),
            ),
            AskText(
                name="description",
                prompt=text("repair.ask_description"),
                min_length=5,
                max_length=1000,
            ),
            AskPhotos(name="photos", prompt=text("repair.ask_photos"), max_count=3),
            AskChoice(
                name="urgency",
                prompt=text("repair.ask_urgency"),
                choices=[
                    Option("urgent", text("repair.urgency.urgent")),
                    Option("normal", text("repair.urgency.normal")),
                ],
            ),
            AskDate(name="day", prompt=text("repair.ask_day"), horizon_days=7),
            AskChoice(
                name="slot",
                prompt=text("repair.ask_slot"),
                choices=[Option(key, text(f"repair.slot_option.{key}")) for key in SLOTS],
            ),
            Confirm(
                name="confirm",
                prompt=text("repair.confirm"),
                editable=("description", "photos", "urgency", "day", "slot"),
            ),
        ),
        submit=report.submit(policy),
        summary=summary,
        cancelled=text("repair.cancelled"),
        help=text("repair.help"),
    )
