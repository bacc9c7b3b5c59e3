"""Fees (欠费催缴): the chase ladder after each arrears import (notices, then home visits, then
the director), a resident's "I have paid" that finance confirms or did not receive, the
officers' daily chase lists and the supervisors' weekly collection report."""

from __future__ import annotations

from conversations.feature import Command, Feature, FeatureContext
from conversations.fees.visit import visit_form
from handlers.fees import chase_list, collection, ladder, paid, upload, visits
from handlers.fees.common import (
    ASSISTANT_VISIT,
    CASES,
    CHASE,
    CHASE_LIST,
    COLLECTION_REPORT,
    CONFIRM,
    DEADLINE,
    HAND_TO,
    NOT_RECEIVED,
    OFFICER_VISIT,
    PAID,
    REASSIGN,
    RECORD_VISIT,
    SWEEP,
    VISIT_AGAIN,
    VISIT_FORM,
)
from handlers.fees.policy import fee_policy
from handlers.reports.fees import fee_figures
from storage.uow import UnitOfWork


def feature(context: FeatureContext) -> Feature:
    policy = fee_policy(context.config)

    async def schedule(uow: UnitOfWork) -> None:
        await chase_list.schedule_next(uow, policy)
        await collection.schedule_next(uow, policy)

    return Feature(
        name="fees",
        lifecycles=(CASES.lifecycle,),
        flows=(visit_form(policy),),
        forms=(VISIT_FORM,),
        actions={
            PAID: paid.claim(policy),
            CONFIRM: paid.confirm(policy),
            NOT_RECEIVED: paid.not_received(policy),
            RECORD_VISIT: visits.open_record(policy),
            REASSIGN: chase_list.reassign(policy),
            HAND_TO: chase_list.hand_to(policy),
        },
        timers={
            SWEEP: ladder.sweep(policy),
            CHASE: ladder.stage(policy, "chase"),
            DEADLINE: ladder.stage(policy, "deadline"),
            OFFICER_VISIT: visits.officer_visit(policy),
            ASSISTANT_VISIT: visits.assistant_visit(policy),
            VISIT_AGAIN: visits.visit_again(policy),
            CHASE_LIST: chase_list.daily(policy),
            COLLECTION_REPORT: collection.weekly(policy),
        },
        commands=(
            Command("chase", chase_list.command(policy), audience="staff"),
            Command("arrears", upload.explain, audience="staff", group=True),
        ),
        on_start=schedule,
        on_upload=upload.arrears_upload(policy),
        figures=(fee_figures(),),
    )
