"""Booking a release slip (放行条), as the front desk would fill in the form.

1. What goes out: the items with quantities, one per line; a photo of the goods if you like.
2. From which of your homes.
3. Which day (today, or up to two weeks ahead) and which part of it.
4. Who carries it: you, or someone you authorise (their name and phone).
5. The vehicle's plate, if one is used.
6. Check and submit: the front desk checks your identity and fees and issues the slip, S-0001,
   with a QR code the guard scans at the gate.

The front desk's and the guard's short forms: why a request is refused, what did not match.
"""

from __future__ import annotations

from typing import Any

from conversations.steps import (
    AskChoice,
    AskDate,
    AskPhone,
    AskPhotos,
    AskText,
    Confirm,
    Flow,
    Option,
)
from conversations.summaries import photos_line
from handlers.messages import TextBody, day, text, verbatim
from handlers.rules.visits import SLOTS
from handlers.slips import approval, booking, gate
from handlers.slips.common import BOOK_FORM, MISMATCH_FORM, REJECT_FORM
from handlers.slips.policy import SlipPolicy
from handlers.units import unit_label


def _homes(answers: dict[str, Any]) -> list[Option]:
    return [
        Option(f"unit:{unit_id}", unit_label(building, entrance, room))
        for unit_id, building, entrance, room in answers.get("_homes", [])
    ]


def _several_homes(answers: dict[str, Any]) -> bool:
    return len(answers.get("_homes", [])) > 1


def _someone_else(answers: dict[str, Any]) -> bool:
    return answers.get("carrier") == "other"


def _said(answers: dict[str, Any], key: str) -> TextBody:
    return verbatim(str(answers.get(key) or "—"))


def booking_flow(policy: SlipPolicy) -> Flow:
    def summary(answers: dict[str, Any]) -> list[TextBody]:
        homes = _homes(answers)
        fallback = homes[0].label if homes else text("slip.first_home")
        home = next((o.label for o in homes if o.value == answers.get("unit")), fallback)
        slot = answers.get("slot", "morning")
        lines = [
            text("slip.summary"),
            text("slip.line.items", items=_said(answers, "items")),
        ]
        lines += photos_line(answers.get("photo"))
        lines += [
            text(
                "slip.line.unit",
                unit=home,
            ),
            text(
                "slip.line.window",
                window=text(
                    "repair.window",
                    day=day(answers["day"]) if answers.get("day") else "",
                    slot=text(f"repair.slot.{slot}"),
                    start=f"{SLOTS[slot][0]:%H:%M}",
                    end=f"{SLOTS[slot][1]:%H:%M}",
                ),
            ),
        ]
        if _someone_else(answers):
            carrier = text(
                "slip.carrier.other_phone",
                name=_said(answers, "carrier_name"),
                phone=_said(answers, "carrier_phone"),
            )
        else:
            carrier = text("slip.carrier.me")
        lines.append(text("slip.line.carrier", carrier=carrier))
        lines.append(text("slip.line.plate", plate=_said(answers, "plate")))
        return lines

    return Flow(
        name=BOOK_FORM.name,
        steps=(
            AskText(name="items", prompt=text("slip.ask_items"), min_length=3, max_length=1000),
            AskPhotos(name="photo", prompt=text("slip.ask_photo"), max_count=1),
            AskChoice(
                name="unit", prompt=text("slip.ask_unit"), choices=_homes, when=_several_homes
            ),
            AskDate(name="day", prompt=text("slip.ask_day"), horizon_days=policy.days_ahead + 1),
            AskChoice(
                name="slot",
                prompt=text("slip.ask_slot"),
                choices=[Option(key, text(f"repair.slot_option.{key}")) for key in SLOTS],
            ),
            AskChoice(
                name="carrier",
                prompt=text("slip.ask_carrier"),
                choices=[
                    Option("me", text("slip.carrier.me")),
                    Option("other", text("slip.carrier.someone")),
                ],
            ),
            AskText(
                name="carrier_name",
                prompt=text("slip.ask_carrier_name"),
                min_length=2,
                max_length=100,
                when=_someone_else,
            ),
            AskPhone(
                name="carrier_phone", prompt=text("slip.ask_carrier_phone"), when=_someone_else
            ),
            AskText(name="plate", prompt=text("slip.ask_plate"), max_length=16, optional=True),
            Confirm(
                name="confirm",
                prompt=text("slip.confirm"),
                editable=("items", "day", "slot", "plate"),
            ),
        ),
        submit=booking.submit(policy),
        summary=summary,
        cancelled=text("slip.cancelled_form"),
        help=text("slip.help"),
    )


def staff_forms(policy: SlipPolicy) -> list[Flow]:
    """The front desk's reason for refusing, and the guard's note of what did not match."""

    def one_text(name: str, step: str, prompt: TextBody, submit: Any) -> Flow:
        return Flow(
            name=name,
            steps=(
                AskText(name=step, prompt=prompt, min_length=3, max_length=1000),
                Confirm(name="confirm", prompt=text("slip.form.confirm"), editable=(step,)),
            ),
            submit=submit,
            summary=lambda a: [
                text("slip.form.summary", number=str(a.get("number", ""))),
                verbatim(str(a.get(step, ""))),
            ],
            cancelled=text("slip.form.cancelled"),
            help=text("slip.form.help"),
        )

    return [
        one_text(
            REJECT_FORM.name, "reason", text("slip.form.ask_reason"), approval.rejected(policy)
        ),
        one_text(
            MISMATCH_FORM.name, "what", text("slip.form.ask_mismatch"), gate.turned_back(policy)
        ),
    ]
