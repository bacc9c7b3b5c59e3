"""A card waiting in a group's digest: staff of that group tap its number to have it sent now.

The digest itself is made by the sender (tests/sandbox/test_outbox_delivery.py); here the desk's
side: who may tap, where, and that a tap sends the card once.
"""

from __future__ import annotations

from storage.repositories.outbox import DIGESTED, PENDING

from .harness import ALICE, ENGINEERING, ZHOU, Estate


async def card_in_digest(job: Estate) -> int:
    """Park R-0001's card in a digest, as the sender does when the group is over its limit."""
    ticket = await job.ticket("repair")
    assert ticket.card_outbox_id is not None
    async with job.db.uow(job.estate_id) as uow:
        card = await uow.outbox.get(ticket.card_outbox_id)
        assert card is not None and card.status == PENDING
        assert await uow.outbox.digest(ENGINEERING, [card], {"lines": []}) == [card.id]
        await uow.commit()
    return card.id


async def status(job: Estate, outbox_id: int) -> tuple[str, int]:
    async with job.db.uow(job.estate_id) as uow:
        row = await uow.outbox.get(outbox_id)
        assert row is not None
        return row.status, row.priority


async def test_staff_in_the_group_have_a_card_in_the_digest_sent_once(job: Estate):
    card = await card_in_digest(job)
    toast = await job.tap_data(ZHOU, f"1|digest|{card}", chat=ENGINEERING)
    assert (toast.text, toast.alert) == ("The card is on its way.", False)
    assert await status(job, card) == (PENDING, 1)  # ahead of the group's other messages
    again = await job.tap_data(ZHOU, f"1|digest|{card}", chat=ENGINEERING)
    assert again.text == "That card has already been sent."
    assert await status(job, card) == (PENDING, 1)


async def test_a_digest_button_from_a_resident_or_another_chat_changes_nothing(job: Estate):
    card = await card_in_digest(job)
    refused = await job.tap_data(ALICE, f"1|digest|{card}", chat=ENGINEERING)
    assert refused.alert and refused.text == "This button is not valid."
    private = await job.tap_data(ZHOU, f"1|digest|{card}")
    assert private.alert
    assert await status(job, card) == (DIGESTED, 0)
