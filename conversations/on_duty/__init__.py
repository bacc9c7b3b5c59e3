"""The on-duty group (中控室): its **Received** button on the night's cards, and the morning
hand-over to the front desk. The cards and night escalations themselves are posted by the
complaints and repairs features as tickets come in (see handlers/on_duty/)."""

from __future__ import annotations

from conversations.feature import Feature, FeatureContext
from handlers.on_duty import handover, night
from handlers.on_duty.policy import on_duty_policy
from storage.uow import UnitOfWork


def feature(context: FeatureContext) -> Feature:
    duty = on_duty_policy(context.config)

    async def on_start(uow: UnitOfWork) -> None:
        await handover.schedule_next(uow, duty)

    return Feature(
        name="on_duty",
        actions={night.RECEIVED: night.received(duty)},
        timers={handover.HANDOVER: handover.morning(duty)},
        on_start=on_start,
    )
