"""Staff move a job to another department, privately, after tapping Re-route on its card.

1. Which department (another one with a group; never the managers' group).
2. Why (for the history and the new card).
3. Check and submit: the old card says where the job went, a new card waits in the new group.
"""

from __future__ import annotations

from typing import Any

from conversations.steps import AskChoice, AskText, Confirm, Flow, Option
from handlers.messages import TextBody, text, verbatim
from handlers.repairs import reroute
from handlers.repairs.common import REROUTE_FORM
from handlers.repairs.policy import RepairPolicy


def reroute_flow(policy: RepairPolicy) -> Flow:
    names = dict(policy.departments)

    def elsewhere(answers: dict[str, Any]) -> list[Option]:
        """Every department but the one the job is with now."""
        current = answers.get("current")
        return [Option(k, verbatim(name)) for k, name in policy.departments if k != current]

    def summary(answers: dict[str, Any]) -> list[TextBody]:
        department = str(answers.get("department", ""))
        return [
            text(
                "repair.reroute.summary",
                number=str(answers.get("number", "")),
                department=verbatim(names.get(department, department)),
            ),
            verbatim(str(answers.get("reason", ""))),
        ]

    return Flow(
        name=REROUTE_FORM.name,
        steps=(
            AskChoice(
                name="department",
                prompt=text("repair.reroute.ask_department"),
                choices=elsewhere,
            ),
            AskText(name="reason", prompt=text("repair.reroute.ask_reason"), max_length=300),
            Confirm(
                name="confirm",
                prompt=text("repair.reroute.confirm"),
                editable=("department", "reason"),
            ),
        ),
        submit=reroute.submit(policy),
        summary=summary,
        cancelled=text("repair.reroute.cancelled"),
        help=text("repair.reroute.help"),
    )
