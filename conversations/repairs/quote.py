"""The technician quotes for paid work, privately, after tapping Quote on an accepted job's card.

1. Labour cost.
2. Material cost (0 when there are no materials).
3. A note for the resident (what the work is, why it is chargeable), or Skip.
4. Check and submit: the resident reads the quote with Agree / Decline, and work waits for it.
"""

from __future__ import annotations

from typing import Any

from conversations.steps import AskAmount, AskText, Confirm, Flow
from handlers.messages import TextBody, text, verbatim
from handlers.repairs import quote
from handlers.repairs.common import QUOTE_FORM, quote_line
from handlers.repairs.policy import RepairPolicy


def _summary(answers: dict[str, Any]) -> list[TextBody]:
    lines = [
        text("repair.quote_form.summary", number=str(answers.get("number", ""))),
        quote_line(answers),
    ]
    if answers.get("note"):
        lines.append(text("repair.quote.note", note=verbatim(str(answers["note"]))))
    return lines


def quote_flow(policy: RepairPolicy) -> Flow:
    return Flow(
        name=QUOTE_FORM.name,
        steps=(
            AskAmount(name="labour", prompt=text("repair.quote_form.ask_labour")),
            AskAmount(name="material", prompt=text("repair.quote_form.ask_material")),
            AskText(
                name="note",
                prompt=text("repair.quote_form.ask_note"),
                max_length=300,
                optional=True,
            ),
            Confirm(
                name="confirm",
                prompt=text("repair.quote_form.confirm"),
                editable=("labour", "material", "note"),
            ),
        ),
        submit=quote.send(policy),
        summary=_summary,
        cancelled=text("repair.quote_form.cancelled"),
        help=text("repair.quote_form.help"),
    )
