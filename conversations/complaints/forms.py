"""Complaints, as the front desk takes them down: listen, record in detail, and explain.

Resident:
1. What is it about? (the estate's topics)
2. What happened: when, where, who.
3. Photos, if any.
4. What would you like us to do?
5. Check and submit: you get the complaint's number, C-0001, and can add information later.

The owner answers in private forms: a reply, a routing, a resolution (with the corrective and
preventive action taken, for the monthly analysis), or why it is invalid.
A major complaint's resident picks the day of a home visit.
"""

from __future__ import annotations

from typing import Any

from conversations.steps import AskChoice, AskDate, AskPhotos, AskText, Confirm, Flow, Option
from conversations.summaries import photos_line
from handlers import behalf
from handlers.complaints import handling, home_visit, intake, plan
from handlers.complaints.common import (
    COMPLAINT_FORM,
    EXPLAIN_FORM,
    INFO_FORM,
    PLAN_FORM,
    REPLY_FORM,
    RESOLVE_FORM,
    ROUTE_FORM,
    VISIT_FORM,
)
from handlers.complaints.policy import ComplaintPolicy
from handlers.messages import TextBody, localized, text, verbatim
from handlers.rules.visits import SLOTS


def _verbatim(answers: dict[str, Any], key: str) -> TextBody:
    return verbatim(str(answers.get(key, "")))


def _filled(title: TextBody, answers: dict[str, Any]) -> TextBody:
    """A title naming the complaint's number, which the form carries in its answers."""
    return {"key": title["key"], "params": {"number": str(answers.get("number", ""))}}


def _explained(how: str) -> Any:
    return lambda answers: answers.get("how") == how


def _explain_summary(answers: dict[str, Any]) -> list[TextBody]:
    if answers.get("how") == "in_person":
        return [
            _filled(text("complaint.form.in_person_summary"), answers),
            _verbatim(answers, "note"),
        ]
    return [_filled(text("complaint.form.explain_summary"), answers), _verbatim(answers, "reason")]


def complaint_flows(policy: ComplaintPolicy) -> list[Flow]:
    """Every complaint flow for this estate's topics and departments."""
    topics = [Option(t.key, localized(t.names)) for t in policy.topics]

    def summary(answers: dict[str, Any]) -> list[TextBody]:
        topic = policy.topic(answers.get("topic", ""))
        return [
            behalf.summary_title(answers, behalf.COMPLAINT, text("complaint.summary_title")),
            text(
                "complaint.card.topic",
                topic=localized(topic.names) if topic else _verbatim(answers, "topic"),
            ),
            text("complaint.card.what", what=_verbatim(answers, "what")),
            *photos_line(answers.get("photos")),
            text("complaint.card.wish", wish=_verbatim(answers, "wish")),
        ]

    def owner_text(name: str, step: str, prompt: TextBody, submit: Any, title: TextBody) -> Flow:
        return Flow(
            name=name,
            steps=(
                AskText(name=step, prompt=prompt, max_length=2000),
                Confirm(name="confirm", prompt=text("complaint.form.confirm"), editable=(step,)),
            ),
            submit=submit,
            summary=lambda a: [_filled(title, a), _verbatim(a, step)],
            cancelled=text("complaint.form.cancelled"),
            help=text("complaint.form.help"),
        )

    departments = [Option(key, verbatim(name)) for key, name in policy.departments]
    return [
        Flow(
            name=COMPLAINT_FORM.name,
            steps=(
                AskChoice(name="topic", prompt=text("complaint.ask_topic"), choices=topics),
                AskText(
                    name="what", prompt=text("complaint.ask_what"), min_length=10, max_length=2000
                ),
                AskPhotos(name="photos", prompt=text("complaint.ask_photos"), max_count=3),
                AskText(name="wish", prompt=text("complaint.ask_wish"), max_length=1000),
                Confirm(
                    name="confirm",
                    prompt=text("complaint.confirm"),
                    editable=("what", "photos", "wish"),
                ),
            ),
            submit=intake.submit(policy),
            summary=summary,
            cancelled=text("complaint.cancelled"),
            help=text("complaint.help"),
        ),
        Flow(
            name=INFO_FORM.name,
            steps=(AskText(name="info", prompt=text("complaint.ask_info"), max_length=2000),),
            submit=intake.add_info(policy),
            cancelled=text("complaint.form.cancelled"),
            help=text("complaint.form.help"),
        ),
        owner_text(
            REPLY_FORM.name,
            "reply",
            text("complaint.form.ask_reply"),
            handling.send_reply(policy),
            text("complaint.form.reply_summary"),
        ),
        Flow(
            name=RESOLVE_FORM.name,
            steps=(
                AskText(
                    name="resolution", prompt=text("complaint.form.ask_resolution"), max_length=2000
                ),
                AskText(
                    name="corrective", prompt=text("complaint.form.ask_corrective"), max_length=1000
                ),
                AskText(
                    name="preventive", prompt=text("complaint.form.ask_preventive"), max_length=1000
                ),
                Confirm(
                    name="confirm",
                    prompt=text("complaint.form.confirm"),
                    editable=("resolution", "corrective", "preventive"),
                ),
            ),
            submit=handling.resolve(policy),
            summary=lambda a: [
                _filled(text("complaint.form.resolve_summary"), a),
                _verbatim(a, "resolution"),
                text("complaint.form.corrective", action=_verbatim(a, "corrective")),
                text("complaint.form.preventive", action=_verbatim(a, "preventive")),
            ],
            cancelled=text("complaint.form.cancelled"),
            help=text("complaint.form.help"),
        ),
        Flow(
            name=EXPLAIN_FORM.name,
            steps=(
                AskChoice(
                    name="how",
                    prompt=text("complaint.form.ask_how_explained"),
                    choices=[
                        Option(how, text(f"complaint.form.explained.{how}"))
                        for how in handling.EXPLAINED_HOW
                    ],
                ),
                AskText(
                    name="reason",
                    prompt=text("complaint.form.ask_reason"),
                    max_length=2000,
                    when=_explained("in_writing"),
                ),
                AskText(
                    name="note",
                    prompt=text("complaint.form.ask_in_person_note"),
                    max_length=2000,
                    when=_explained("in_person"),
                ),
                Confirm(
                    name="confirm",
                    prompt=text("complaint.form.confirm"),
                    editable=("reason", "note"),
                ),
            ),
            submit=handling.explain(policy),
            summary=_explain_summary,
            cancelled=text("complaint.form.cancelled"),
            help=text("complaint.form.help"),
        ),
        owner_text(
            PLAN_FORM.name,
            "plan",
            text("complaint.form.ask_plan"),
            plan.record_plan(policy),
            text("complaint.form.plan_summary"),
        ),
        Flow(
            name=ROUTE_FORM.name,
            steps=(
                AskChoice(
                    name="department",
                    prompt=text("complaint.form.ask_department"),
                    choices=departments,
                ),
            ),
            submit=handling.route(policy),
            cancelled=text("complaint.form.cancelled"),
            help=text("complaint.form.help"),
        ),
        Flow(
            name=VISIT_FORM.name,
            steps=(
                AskDate(name="day", prompt=text("complaint.visit.ask_day"), horizon_days=7),
                AskChoice(
                    name="slot",
                    prompt=text("repair.ask_slot"),
                    choices=[Option(k, text(f"repair.slot_option.{k}")) for k in SLOTS],
                ),
            ),
            submit=home_visit.book_visit(policy),
            cancelled=text("complaint.form.cancelled"),
            help=text("complaint.form.help"),
        ),
    ]
