"""What every repair step shares: the ticket kind, its buttons and timers, its dispatch card."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from handlers.actions import Action, Form
from handlers.behalf import CHAT, card_lines
from handlers.messages import (
    ButtonBody,
    MessageBody,
    TextBody,
    configured,
    day,
    message,
    moment,
    text,
    verbatim,
)
from handlers.repairs.lifecycle import DECLINED, REPAIR
from handlers.repairs.policy import RepairPolicy
from handlers.rules.visits import SLOTS
from handlers.tickets import CardBuilder, TicketKind
from handlers.units import unit_label
from storage.models import Ticket
from storage.uow import UnitOfWork

REPAIRS = TicketKind("repair", "R", REPAIR)

# Timer kinds: the repair clock, in the order a job meets them.
ACCEPT_SLA = "repair.accept_sla"  # not accepted in time: ping the group, tell supervisors
WINDOW_END = "repair.window_end"  # the agreed visit window passed and it is not done
CONFIRM_TIMEOUT = "repair.confirm_timeout"  # the resident is silent: the front desk calls
SURVEY = "repair.survey"  # the callback survey
SURVEY_REMIND = "repair.survey_remind"  # the survey is not answered: asked again
SURVEY_PHONE = "repair.survey_phone"  # still not answered: the front desk calls
DESK_DIGEST = "desk.repair_digest"  # every morning: the front desk's digest of open jobs
QUOTE_WAIT = "repair.quote_wait"  # the resident has not answered a quote: the front desk calls
PAID_SUMMARY = "finance.paid_services"  # monthly: paid-service totals to finance

# What the buttons on cards and resident messages do, and the private forms they open.
ACCEPT = Action("rep.accept")
HAND_BACK = Action("rep.handback")
DONE = Action("rep.done")
FIXED = Action("rep.fixed")
NOT_FIXED = Action("rep.notfixed")
SCORE = Action("rep.score", (int, str, int))  # a survey answer (survey, question, 1-5)
CALL = Action("rep.call")  # the front desk: show me the resident's phone (privately)
BY_PHONE = Action("rep.byphone", (int, int))  # the front desk: the call's answer (job, fixed)
SURVEY_BY_PHONE = Action("rep.cbphone", (int, int))  # the callback's answer (job, satisfied)
REROUTE = Action("rep.reroute")  # staff: move the job to another department (opens a form)
QUOTE = Action("rep.quote")  # the technician holding the job: send a quote (opens a form)
AGREE = Action("rep.agree")  # the resident agrees to the quote
DECLINE = Action("rep.decline")  # the resident declines it: the job stops
QUOTE_BY_PHONE = Action("rep.qphone", (int, int))  # the front desk: the call's answer (job, agreed)
PAY = Action("rep.pay", (int, str))  # the front desk: fees paid ("desk") or on the bill ("bill")
REPORT_FORM = Form("repair")
REROUTE_FORM = Form("repair_reroute")
DONE_FORM = Form("repair_done")
QUOTE_FORM = Form("repair_quote")
COMMENT_FORM = Form("survey_comment")


number = REPAIRS.number

HELD = REPAIRS.lifecycle.sources("finish") | REPAIRS.lifecycle.sources("agree")
"""A job its acceptor holds: to finish, or waiting for the resident's answer to their quote."""
PAID_HOW = ("desk", "bill")
"""How the fees of a job are settled: paid at the front desk, or added to the monthly bill."""
WORKLOAD_NAMES = 8
"""Technicians named on a card's workload line; more are counted, so the card stays short."""


def category_label(policy: RepairPolicy, key: str | None) -> TextBody:
    category = policy.category(key or "")
    return configured(category.names if category else None, key)


def place_label(ticket: Ticket) -> TextBody:
    details = ticket.details
    if details.get("unit"):
        return unit_label(*details["unit"])
    return text("repair.place.common", place=verbatim(details.get("place", "")))


def window_label(ticket: Ticket) -> TextBody:
    details = ticket.details
    slot = details.get("slot", "")
    start, end = SLOTS.get(slot, (None, None))
    return text(
        "repair.window",
        day=day(details["day"]) if details.get("day") else "",
        slot=text(f"repair.slot.{slot}") if slot in SLOTS else verbatim(slot),
        start=f"{start:%H:%M}" if start else "",
        end=f"{end:%H:%M}" if end else "",
    )


def fees_line(ticket: Ticket) -> TextBody:
    details = ticket.details
    return text(
        "repair.fees",
        labour=details.get("labour_fee", "0.00"),
        material=details.get("material_fee", "0.00"),
    )


def money(amount: Decimal) -> str:
    return str(amount.quantize(Decimal("0.01")))


def quote_of(ticket: Ticket) -> dict[str, Any] | None:
    """The job's latest quote (labour, material, note, who sent it and the answer), if any."""
    quote = ticket.details.get("quote")
    return quote if isinstance(quote, dict) else None


def agreed_quote(ticket: Ticket) -> dict[str, Any] | None:
    """The quote the resident agreed to; the result form's fees start from it."""
    quote = quote_of(ticket)
    return quote if quote is not None and quote.get("answer") == "agreed" else None


def quote_line(quote: dict[str, Any]) -> TextBody:
    labour, material = Decimal(quote["labour"]), Decimal(quote["material"])
    return text(
        "repair.quote.amounts",
        labour=money(labour),
        material=money(material),
        total=money(labour + material),
    )


def fees_due(ticket: Ticket) -> Decimal:
    """What the resident owes for the job as recorded on Done (0 for free work)."""
    details = ticket.details
    return Decimal(details.get("labour_fee") or 0) + Decimal(details.get("material_fee") or 0)


def payment_line(ticket: Ticket) -> TextBody | None:
    """How the job's fees were settled, or that they are still unpaid; None for free work."""
    if fees_due(ticket) <= 0:
        return None
    payment = ticket.details.get("payment")
    if not isinstance(payment, dict):
        return text("repair.payment.unpaid", total=money(fees_due(ticket)))
    facts = {
        "total": money(fees_due(ticket)),
        "name": verbatim(payment.get("by", "")),
        "at": moment(datetime.fromisoformat(payment["at"])),
    }
    if payment["how"] == "bill":
        return text("repair.payment.bill", **facts)
    return text("repair.payment.desk", **facts)


async def workload(uow: UnitOfWork, ticket: Ticket) -> TextBody | None:
    """Each technician of the job's department and the jobs they hold now, fewest first, for
    the manual's dispatch "by skill and workload"; None when the department has no technicians.

    Read when the card is built (posted, or edited for another reason), never refreshed on its
    own: a group's cards may be edited only 20 times a minute."""
    technicians = [
        s
        for s in await uow.people.staff_in(ticket.department_key or "front_desk")
        if s.role == "technician"
    ]
    if not technicians:
        return None
    counts = await uow.tickets.held_counts(
        REPAIRS.kind, [s.telegram_user_id for s in technicians], HELD
    )
    ranked = sorted(technicians, key=lambda s: (counts.get(s.telegram_user_id, 0), s.name))
    load = " · ".join(
        f"{s.name} {counts.get(s.telegram_user_id, 0)}" for s in ranked[:WORKLOAD_NAMES]
    )
    if len(ranked) > WORKLOAD_NAMES:
        return text(
            "repair.card.workload_more", load=verbatim(load), more=len(ranked) - WORKLOAD_NAMES
        )
    return text("repair.card.workload", load=verbatim(load))


async def card(
    uow: UnitOfWork,
    policy: RepairPolicy,
    ticket: Ticket,
    *,
    superseded: bool = False,
    moved: TextBody | None = None,
) -> MessageBody:
    """The dispatch card as it should read now: facts, state, and the buttons that apply.

    A `superseded` card (the job was reopened and re-posted) keeps its facts and loses its
    buttons, so nobody acts on the old one; so does a card whose job `moved` to another
    department, which says where.
    """
    details = ticket.details
    followers = len(await uow.tickets.followers(ticket))
    lines: list[TextBody] = [
        text("repair.card.title", number=number(ticket))
        if not ticket.urgent
        else text("repair.card.title_urgent", number=number(ticket)),
        text("repair.card.category", category=category_label(policy, ticket.category)),
        text("repair.card.place", place=place_label(ticket)),
        text("repair.card.visit", window=window_label(ticket)),
        text("repair.card.description", description=verbatim(details.get("description", ""))),
        text(
            "repair.card.reporter",
            name=verbatim(details.get("reporter_name", "")),
            count=followers,
        )
        if followers or ticket.channel == CHAT
        else text("behalf.card.for", name=verbatim(details.get("reporter_name", ""))),
        *card_lines(ticket),
    ]
    if ticket.reopened:
        lines.append(text("repair.card.reopened", times=ticket.reopened))
    if details.get("moved_from") and moved is None:
        lines.append(
            text(
                "repair.card.moved_from",
                department=verbatim(details["moved_from"]),
                reason=verbatim(details.get("move_reason", "")),
            )
        )
    buttons: list[list[ButtonBody]] = []
    reroute = [REROUTE.button(text("repair.button.reroute"), ticket.id)]
    if moved is not None:
        lines.append(moved)
    elif superseded:
        lines.append(text("repair.card.superseded"))
    elif REPAIRS.allows(ticket, "accept"):
        if (load := await workload(uow, ticket)) is not None:
            lines.append(load)
        lines.append(text("repair.card.waiting"))
        buttons = [[ACCEPT.button(text("repair.button.accept"), ticket.id)], reroute]
    elif REPAIRS.allows(ticket, "finish"):
        lines.append(
            text(
                "repair.card.accepted",
                name=verbatim(details.get("assignee_name", "")),
                at=moment(ticket.accepted_at or uow.now),
            )
        )
        if details.get("contact_pending"):
            lines.append(
                text(
                    "repair.card.open_private_chat", name=verbatim(details.get("assignee_name", ""))
                )
            )
        if (agreed := agreed_quote(ticket)) is not None:
            lines.append(text("repair.card.quote_agreed", amounts=quote_line(agreed)))
        buttons = [
            [
                DONE.button(text("repair.button.done"), ticket.id),
                HAND_BACK.button(text("repair.button.hand_back"), ticket.id),
            ],
            [QUOTE.button(text("repair.button.quote"), ticket.id)],
            reroute,
        ]
    elif REPAIRS.allows(ticket, "agree") and (quote := quote_of(ticket)) is not None:
        lines.append(
            text(
                "repair.card.accepted",
                name=verbatim(details.get("assignee_name", "")),
                at=moment(ticket.accepted_at or uow.now),
            )
        )
        lines.append(text("repair.card.quote_waiting", amounts=quote_line(quote)))
        buttons = [[HAND_BACK.button(text("repair.button.hand_back"), ticket.id)], reroute]
    elif ticket.status == DECLINED and (quote := quote_of(ticket)) is not None:
        lines.append(
            text(
                "repair.card.quote_declined",
                amounts=quote_line(quote),
                at=moment(datetime.fromisoformat(quote.get("answered_at") or uow.now.isoformat())),
            )
        )
        lines.append(text("repair.card.status", status=REPAIRS.status_label(ticket)))
    else:
        lines.append(
            text(
                "repair.card.done",
                name=verbatim(details.get("assignee_name", "")),
                at=moment(ticket.done_at or uow.now),
            )
        )
        lines.append(text("repair.card.result", result=verbatim(details.get("result", ""))))
        lines.append(fees_line(ticket))
        if (paid := payment_line(ticket)) is not None:
            lines.append(paid)
        lines.append(text("repair.card.status", status=REPAIRS.status_label(ticket)))
        if details.get("auto_confirmed"):  # jobs confirmed by silence before phone calls
            lines.append(text("repair.card.auto_confirmed"))
        if details.get("phone_confirmed_by"):
            lines.append(text("repair.card.by_phone", name=verbatim(details["phone_confirmed_by"])))
    return message(*lines, buttons=buttons, photos=list(details.get("photos") or []))


async def post_card(uow: UnitOfWork, policy: RepairPolicy, ticket: Ticket) -> None:
    """Put a fresh card in the department's group (a new job, or one reopened)."""
    department = await uow.people.department(ticket.department_key or "front_desk")
    if department is None or department.chat_id is None:
        department = await uow.people.department("front_desk")
    if department is None or department.chat_id is None:
        return
    ticket.card_outbox_id = await uow.outbox.send(
        department.chat_id, await card(uow, policy, ticket), group=True, urgent=ticket.urgent
    )


def card_builder(policy: RepairPolicy) -> CardBuilder:
    """The card as the toolkit refreshes it, for this estate's categories."""

    async def build(uow: UnitOfWork, ticket: Ticket) -> MessageBody:
        return await card(uow, policy, ticket)

    return build


async def refresh_card(uow: UnitOfWork, policy: RepairPolicy, ticket: Ticket) -> None:
    """Edit the card in place to show the ticket as it is now."""
    await REPAIRS.refresh_card(uow, ticket, card_builder(policy))
