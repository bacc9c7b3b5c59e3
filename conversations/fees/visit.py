"""The visitor's record of a home visit (stages 4 and 5), as a private form: how it went, then
the day promised or the reason for refusing, then a last look before it counts."""

from __future__ import annotations

from typing import Any

from conversations.steps import AskChoice, AskDate, AskText, Confirm, Flow, Option
from handlers.fees import visits
from handlers.fees.common import VISIT_FORM
from handlers.fees.policy import FeePolicy
from handlers.forms import Answers
from handlers.messages import TextBody, day, text, verbatim

PROMISE_HORIZON_DAYS = 31
"""A promise further away than a month is not a promise the ladder waits for."""


def _said(outcome: str) -> Any:
    return lambda answers: answers.get("outcome") == outcome


def _summary(answers: Answers) -> list[TextBody]:
    outcome = str(answers.get("outcome", ""))
    lines = [
        text("fee.form.summary", number=str(answers.get("number", ""))),
        text(f"fee.form.outcome.{outcome}"),
    ]
    if outcome == "promised":
        lines.append(text("fee.visit.promised", date=day(str(answers.get("promised", "")))))
    if outcome == "refused":
        lines.append(verbatim(str(answers.get("reason", ""))))
    return lines


def visit_form(policy: FeePolicy) -> Flow:
    return Flow(
        name=VISIT_FORM.name,
        steps=(
            AskChoice(
                name="outcome",
                prompt=text("fee.form.ask_outcome"),
                choices=[
                    Option(outcome, text(f"fee.form.outcome.{outcome}"))
                    for outcome in visits.OUTCOMES
                ],
            ),
            AskDate(
                name="promised",
                prompt=text("fee.form.ask_promised"),
                horizon_days=PROMISE_HORIZON_DAYS,
                when=_said("promised"),
            ),
            AskText(
                name="reason",
                prompt=text("fee.form.ask_reason"),
                min_length=3,
                max_length=1000,
                when=_said("refused"),
            ),
            Confirm(name="confirm", prompt=text("fee.form.confirm")),
        ),
        submit=visits.recorded(policy),
        summary=_summary,
        cancelled=text("fee.form.cancelled"),
        help=text("fee.form.help"),
    )
