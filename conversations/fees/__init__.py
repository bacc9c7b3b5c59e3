"""Fees (欠费催缴): the chase ladder after each arrears import, and a resident's "I have paid"
that finance confirms or did not receive."""

from __future__ import annotations

from conversations.feature import Feature, FeatureContext
from handlers.fees import ladder, paid
from handlers.fees.common import CASES, CHASE, CONFIRM, DEADLINE, NOT_RECEIVED, PAID, SWEEP
from handlers.fees.policy import fee_policy


def feature(context: FeatureContext) -> Feature:
    policy = fee_policy(context.config)
    return Feature(
        name="fees",
        lifecycles=(CASES.lifecycle,),
        actions={
            PAID: paid.claim(policy),
            CONFIRM: paid.confirm(policy),
            NOT_RECEIVED: paid.not_received(policy),
        },
        timers={
            SWEEP: ladder.sweep(policy),
            CHASE: ladder.stage(policy, "chase"),
            DEADLINE: ladder.stage(policy, "deadline"),
        },
    )
