"""The front desk's lighter requests, recorded with `/record` as a resident phones or walks in
(the manual's reception procedure): an inquiry is answered on the spot and recorded closed; a
suggestion or a request for help is written down and followed to the end by the front desk,
who records what was done; the resident in the bot is told the number and when it is done; the
reports count them by kind. Alice (3-2-301) is in the bot; Li works at the front desk."""

from __future__ import annotations

from .harness import ALICE, FRONT_DESK, LI, MANAGERS, ZHOU, Estate, local

PLACE = "Building 3, entrance 2, room 301"


async def record(estate: Estate, kind: str, channel: str, said: str, *answer: str) -> None:
    """/record's own questions for 3-2-301, then the desk's form: what they said (and for an
    inquiry the answer given), up to its summary."""
    await estate.send(LI, "/record")
    await estate.tap(LI, kind)
    await estate.tap(LI, channel)
    await estate.tap(LI, "A home")
    await estate.send(LI, "3-2-301")
    for typed in (said, *answer):
        await estate.send(LI, typed)


async def test_an_inquiry_is_recorded_with_its_answer_and_closed_at_once(estate: Estate):
    await estate.send(LI, "/record")
    await estate.tap(LI, "An inquiry")
    channels = await estate.last(LI)
    assert channels.buttons == [["By phone", "In person"]]  # a patrol asks nobody's question
    await estate.tap(LI, "By phone")
    await estate.tap(LI, "A home")
    mark = await estate.mark()
    await estate.send(LI, "3-2-301")
    assert await estate.texts(LI, after=mark) == [
        f"Recording an inquiry from {PLACE} (by phone). Type the question and the answer you gave.",
        "What did the resident say? Type it in their words: the question, the suggestion or the "
        "help they need.",
    ]
    await estate.send(LI, "When is the water switched off on Thursday?")
    await estate.send(LI, "From 9:00 to 12:00; the notice is in the lift.")
    summary = (await estate.last(LI)).text
    assert summary.startswith(f"Inquiry recorded for {PLACE}\n"), summary
    assert "Answered: From 9:00 to 12:00; the notice is in the lift." in summary
    mark = await estate.mark()
    await estate.tap(LI, "Submit")

    assert await estate.texts(LI, after=mark) == [
        f"Inquiry D-0001 is recorded for {PLACE}, answered and closed."
    ]
    ticket = await estate.ticket("desk")
    assert (ticket.category, ticket.status, ticket.channel) == ("inquiry", "done", "phone")
    assert ticket.details["done"] == "From 9:00 to 12:00; the notice is in the lift."
    assert ticket.closed_at == estate.clock.now
    assert await estate.texts(ALICE, after=mark) == []  # answered on the spot: nothing to send
    assert await estate.texts(FRONT_DESK, after=mark) == []  # nothing to follow
    await estate.send(ALICE, "/my")
    assert "D-0001" not in "\n".join(await estate.texts(ALICE, after=mark))


async def test_a_suggestion_is_followed_to_the_end_and_the_resident_told(estate: Estate):
    await record(estate, "A suggestion", "In person", "Put a bench by the gate of building 3.")
    assert (await estate.last(LI)).text.startswith(f"Suggestion recorded for {PLACE}\n")
    mark = await estate.mark()
    await estate.tap(LI, "Submit")

    assert await estate.texts(LI, after=mark) == [
        f"D-0001 is recorded for {PLACE}. The resident was told the number in chat and follows "
        "it there."
    ]
    assert await estate.texts(ALICE, after=mark) == [
        "The front desk recorded this request for you (at the front desk). You can follow it "
        "here like any other.\nThank you. Your suggestion is registered as D-0001. We will tell "
        "you when it has been dealt with."
    ]
    await estate.send(ALICE, "/my")  # she follows it like her own requests
    assert (await estate.last(ALICE)).text == (
        "Your requests at the front desk\n"
        "D-0001 A suggestion: open, the front desk follows it to the end"
    )
    (card,) = await estate.messages(FRONT_DESK, after=mark)
    assert card.text == (
        "💡 Suggestion D-0001\n"
        f"From: Alice Chen, {PLACE}\n"
        "Recorded by Li Na · at the front desk\n"
        "What they said: Put a bench by the gate of building 3.\n"
        "Status: open, the front desk follows it to the end"
    )
    assert card.buttons == [["✅ Done"]]
    mark = await estate.mark()
    estate.clock.advance(hours=2)
    await estate.send(LI, "/queue", chat=FRONT_DESK)  # the repairs, then what the desk follows
    assert (await estate.texts(FRONT_DESK, after=mark))[-1] == (
        "1 suggestion or request for help the front desk follows\n"
        "D-0001: A suggestion, Alice Chen, 2 h old"
    )

    refused = await estate.tap(ZHOU, "Done", chat=FRONT_DESK, message=card)  # a technician
    assert refused.alert and refused.text == (
        "Only front desk staff and supervisors close front-desk requests."
    )
    toast = await estate.tap(LI, "Done", chat=FRONT_DESK, message=card)
    assert toast.text == "I opened a form for D-0001 in our private chat."
    await estate.send(LI, "A bench was ordered; it is installed on Friday.")
    mark = await estate.mark()
    await estate.tap(LI, "Submit")

    assert await estate.texts(LI, after=mark) == ["D-0001 is done; its card shows what was done."]
    assert await estate.texts(ALICE, after=mark) == [
        "Your suggestion D-0001 has been dealt with. This is what was done:\n"
        "A bench was ordered; it is installed on Friday."
    ]
    (card,) = [m for m in await estate.messages(FRONT_DESK) if "Suggestion D-0001" in m.text]
    assert card.text.endswith(
        "Status: done\n✅ Done by Li Na:\nA bench was ordered; it is installed on Friday."
    )
    assert card.buttons == []
    mark = await estate.mark()
    await estate.send(LI, "/queue", chat=FRONT_DESK)
    assert "D-0001" not in "\n".join(await estate.texts(FRONT_DESK, after=mark))
    ticket = await estate.ticket("desk")
    assert (ticket.category, ticket.status, ticket.channel) == ("suggestion", "done", "visit")
    again = await estate.tap_data(LI, f"1|desk.done|{ticket.id}", chat=FRONT_DESK)
    assert again.alert and again.text == "D-0001 is already done (Li Na)."


async def test_the_weekly_and_monthly_reports_count_the_front_desks_requests_by_kind(
    estate: Estate,
):
    await record(estate, "An inquiry", "By phone", "Where do I park a moving van?", "By gate 2.")
    await estate.tap(LI, "Submit")
    await record(estate, "A request for help", "By phone", "My elderly father fell; no lift key.")
    await estate.tap(LI, "Submit")
    mark = await estate.mark()
    await estate.wait_until(local(2026, 9, 28, 9, 0))  # Monday's report of the week before

    (desk,) = [r for r in await estate.reports(FRONT_DESK, after=mark) if "inquiries" in r]
    assert desk.startswith("Front desk: inquiries, suggestions, requests for help\n"), desk
    for line in (
        "Inquiries answered on the spot: 1",
        "Suggestions: 0",
        "Requests for help: 1",
        "Suggestions and requests for help still open: 1",
        "How they came in:\n  • by phone: 2",
    ):
        assert line in desk, desk

    await estate.wait_until(local(2026, 10, 1, 9, 0))  # the month's, to the managers
    (month,) = [r for r in await estate.reports(MANAGERS, after=mark) if "inquiries" in r]
    assert "Inquiries answered on the spot: 1" in month and "Requests for help: 1" in month
