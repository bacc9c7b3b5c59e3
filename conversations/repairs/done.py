"""A technician records a finished job, privately, after tapping Done on the card.

1. What was done (the result).
2. Photos of the work, if any.
3. Labour fee, then material fee (0 for free work).
4. Check and submit: the card shows the outcome and the resident is asked to sign off.
"""

from __future__ import annotations

from conversations.steps import AskAmount, AskPhotos, AskText, Confirm, Flow
from conversations.summaries import photos_line
from handlers.messages import TextBody, text
from handlers.repairs import work
from handlers.repairs.common import DONE_FORM
from handlers.repairs.policy import RepairPolicy


def _summary(answers: dict[str, object]) -> list[TextBody]:
    photos = answers.get("result_photos") or []
    return [
        text("repair.done_form.summary", number=str(answers.get("number", ""))),
        text("repair.card.result", result={"key": "", "params": {"value": answers["result"]}}),
        *photos_line(photos),
        text("repair.fees", labour=answers["labour_fee"], material=answers["material_fee"]),
    ]


def repair_done_flow(policy: RepairPolicy) -> Flow:
    return Flow(
        name=DONE_FORM.name,
        steps=(
            AskText(name="result", prompt=text("repair.done_form.ask_result"), max_length=1000),
            AskPhotos(name="result_photos", prompt=text("repair.done_form.ask_photos")),
            AskAmount(name="labour_fee", prompt=text("repair.done_form.ask_labour")),
            AskAmount(name="material_fee", prompt=text("repair.done_form.ask_material")),
            Confirm(
                name="confirm",
                prompt=text("repair.done_form.confirm"),
                editable=("result", "labour_fee", "material_fee"),
            ),
        ),
        submit=work.finish(policy),
        summary=_summary,
        cancelled=text("repair.done_form.cancelled"),
        help=text("repair.done_form.help"),
    )
