"""A technician records a finished job, privately, after tapping Done on the card.

1. What was done (the result).
2. Photos of the work, if any.
3. The fees: for a job whose quote the resident agreed to, "As quoted" (the quote's amounts) or
   "Other amounts"; otherwise, or for other amounts, the labour fee, then the material fee (0 for
   free work). Edit on the summary changes them either way.
4. Check and submit: the card shows the outcome and the resident is asked to sign off.
"""

from __future__ import annotations

from conversations.steps import AskAmount, AskChoice, AskPhotos, AskText, Confirm, Flow, Option
from conversations.summaries import photos_line
from handlers.actor import Actor
from handlers.forms import Answers, Outcome
from handlers.messages import TextBody, text
from handlers.repairs import work
from handlers.repairs.common import DONE_FORM
from handlers.repairs.policy import RepairPolicy
from storage.uow import UnitOfWork

AS_QUOTED = "as_quoted"


def _quoted(answers: Answers) -> bool:
    return "quote_labour" in answers


def _typed_fees(answers: Answers) -> bool:
    """The fees are asked one by one: no agreed quote, or other amounts than the quote's."""
    return not _quoted(answers) or answers.get("fees") != AS_QUOTED


async def _take_quote(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome | None:
    """As quoted: the fees are the quote's amounts (and the starting point of other amounts)."""
    if answers.get("fees") == AS_QUOTED or "labour_fee" not in answers:
        answers["labour_fee"] = answers["quote_labour"]
        answers["material_fee"] = answers["quote_material"]
    return None


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
            AskChoice(
                name="fees",
                prompt=text("repair.done_form.ask_fees"),
                choices=(
                    Option(AS_QUOTED, text("repair.done_form.as_quoted")),
                    Option("other", text("repair.done_form.other_amounts")),
                ),
                when=_quoted,
                then=_take_quote,
            ),
            AskAmount(
                name="labour_fee", prompt=text("repair.done_form.ask_labour"), when=_typed_fees
            ),
            AskAmount(
                name="material_fee",
                prompt=text("repair.done_form.ask_material"),
                when=_typed_fees,
            ),
            Confirm(
                name="confirm",
                prompt=text("repair.done_form.confirm"),
                editable=("result", "fees", "labour_fee", "material_fee"),
            ),
        ),
        submit=work.finish(policy),
        summary=_summary,
        cancelled=text("repair.done_form.cancelled"),
        help=text("repair.done_form.help"),
    )
