"""What people send that the forms must not be fooled by: answers nobody can see, buttons of
questions already answered (of this form or of one finished before), edited messages.

The buttons are replayed by their callback data, as a client that kept an old keyboard, a double
tap or a forged request would send them.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.core.callbacks import BadCallback, unpack
from bot.features import CORE_ACTIONS, build_features
from handlers.rules.text import visible, visible_length
from storage.models import Conversation, RegistrationRequest, Ticket

from .harness import (
    ALICE,
    ENGINEERING,
    FRONT_DESK,
    LI,
    WANG,
    ZHOU,
    Estate,
    Person,
    Shown,
    estate_config,
    owner_form,
    report_repair,
)

ALREADY = "This question has already been answered. Please answer the latest one."
MALLORY = Person(401, "Mallory")  # neither staff nor resident


async def form(estate: Estate, person: Person) -> tuple[str, str] | None:
    """The form open in the person's private chat: (flow, step)."""
    async with estate.db.uow(estate.estate_id) as uow:
        open_now = await uow.conversations.get(person.id, person.id)
        return None if open_now is None else (open_now.flow, open_now.step)


def data_of(message: Shown, label: str) -> str:
    for labels, datas in zip(message.buttons, message.callback_data, strict=True):
        for shown, data in zip(labels, datas, strict=True):
            if label in shown:
                return data
    raise AssertionError(f"no button {label!r}: {message.buttons}")


# -- answers nobody can see -------------------------------------------------------------------


async def test_a_description_of_zero_width_spaces_is_refused_and_the_step_stays(estate: Estate):
    await estate.send(ALICE, "/repair")
    await estate.tap(ALICE, "Water and drains")
    await estate.tap(ALICE, "Building 3")
    assert await form(estate, ALICE) == ("repair", "description")

    for invisible in (
        "\u200b\u200b\u200b",
        "\u2060 \ufeff \u200b",
        "\u3164\u3164\u3164\u3164\u3164",
    ):
        await estate.send(ALICE, invisible)
        said = await estate.last(ALICE)
        assert said.text == (
            "Your answer shows nothing: it has only spaces or invisible characters. "
            "Please type your answer."
        )
        assert await form(estate, ALICE) == ("repair", "description")
    await estate.send(ALICE, "ab\u200b\u200b\u200b\u200b\u200bc")  # 3 seen, 5 needed
    assert "at least 5 characters" in (await estate.last(ALICE)).text
    chinese = await estate.messages(ALICE, language="zh_Hans")
    assert chinese[-2].text == "您的回答里只有空格或不可见字符，看不到任何内容。请重新输入。"

    await estate.send(ALICE, "\u200bThe sink\u200b leaks.\u2060")
    assert "up to 3 photos" in (await estate.last(ALICE)).text
    async with estate.db.uow(estate.estate_id) as uow:
        open_now = await uow.conversations.get(ALICE.id, ALICE.id)
        assert open_now is not None and open_now.answers["description"] == "The sink leaks."


# -- buttons of answered questions --------------------------------------------------------------


async def test_a_finished_repairs_other_button_is_not_a_later_complaints_topic(estate: Estate):
    await estate.send(ALICE, "/repair")
    asked = await estate.last(ALICE)
    other = data_of(asked, "Other")  # the repair's category "Other"
    await estate.send(ALICE, "/cancel")
    assert await form(estate, ALICE) is None
    await estate.send(ALICE, "/complain")
    topic = await estate.last(ALICE)
    assert "What is your complaint about" in topic.text
    assert any("Other" in label for row in topic.buttons for label in row)

    toast = await estate.tap_data(ALICE, other)
    assert toast.alert and toast.text == ALREADY
    assert await form(estate, ALICE) == ("complaint", "topic")
    assert (await estate.last(ALICE)).id == topic.id  # nothing said, nothing asked again

    toast = await estate.tap(ALICE, "Other", message=topic)  # the complaint's own button works
    assert not toast.alert, toast
    assert await form(estate, ALICE) == ("complaint", "what")


async def test_an_old_registration_cancel_does_not_cancel_a_complaint_at_its_summary(
    open_estate,
):
    estate: Estate = await open_estate()
    await estate.send(ALICE, "/start")
    await estate.share_contact(ALICE)
    for part in ("3", "2", "301"):
        await estate.send(ALICE, part)
    summary = await estate.last(ALICE)
    cancel, submit = data_of(summary, "Cancel"), data_of(summary, "Submit")
    await estate.tap_data(ALICE, submit)
    assert not (await estate.tap(WANG, "Approve", chat=FRONT_DESK)).alert

    await estate.send(ALICE, "/complain")
    await estate.tap(ALICE, "Noise and neighbours")
    await estate.send(ALICE, "Loud drilling from 502 every night after 22:00.")
    await estate.tap(ALICE, "Skip")
    await estate.send(ALICE, "Ask them to stop after 22:00.")
    assert await form(estate, ALICE) == ("complaint", "confirm")

    for old in (cancel, submit):
        toast = await estate.tap_data(ALICE, old)
        assert toast.alert and toast.text == ALREADY
        assert await form(estate, ALICE) == ("complaint", "confirm")
    await estate.tap(ALICE, "Submit")
    assert "registered as C-0001" in (await estate.last(ALICE)).text


async def test_a_finished_done_forms_submit_does_not_submit_the_next_job(job: Estate):
    assert not (await job.tap(ZHOU, "Accept", chat=ENGINEERING)).alert
    assert not (await job.tap(ZHOU, "Done", chat=ENGINEERING)).alert
    await job.send(ZHOU, "Replaced the seal.")
    await job.tap(ZHOU, "Skip")
    await job.send(ZHOU, "50")
    await job.send(ZHOU, "35")
    summary = await job.last(ZHOU)
    submit, cancel = data_of(summary, "Submit"), data_of(summary, "Cancel")
    await job.tap_data(ZHOU, submit)
    assert "is marked done" in (await job.last(ZHOU)).text

    assert await report_repair(job, ALICE, description="The hallway light is out.") == "R-0002"
    assert not (await job.tap(ZHOU, "Accept", chat=ENGINEERING)).alert
    assert not (await job.tap(ZHOU, "Done", chat=ENGINEERING)).alert
    await job.send(ZHOU, "Changed the bulb.")
    await job.tap(ZHOU, "Skip")
    await job.send(ZHOU, "20")
    await job.send(ZHOU, "5")
    assert await form(job, ZHOU) == ("repair_done", "confirm")

    for old in (submit, cancel, submit):  # a replayed Submit, a late Cancel, a double tap
        toast = await job.tap_data(ZHOU, old)
        assert toast.alert and toast.text == ALREADY
    assert (await job.ticket("repair", 2)).status == "accepted"
    assert await form(job, ZHOU) == ("repair_done", "confirm")
    await job.tap(ZHOU, "Submit")
    assert "R-0002 is marked done" in (await job.last(ZHOU)).text
    assert (await job.ticket("repair", 2)).status == "done"


async def test_a_button_from_before_forms_were_numbered_is_stale_and_the_question_comes_again(
    estate: Estate,
):
    await estate.send(ALICE, "/complain")
    topic = await estate.last(ALICE)
    for legacy in ("1|flow|1|other", "1|flow|2|noise", "1|flow|0|cancel"):
        toast = await estate.tap_data(ALICE, legacy)
        assert toast.alert and toast.text == ALREADY
        assert await form(estate, ALICE) == ("complaint", "topic")
    again = await estate.last(ALICE)
    assert again.id != topic.id and again.text == topic.text
    assert all(data.startswith("1|form|") for row in again.callback_data for data in row)


async def test_the_revision_keeps_growing_across_forms(estate: Estate):
    """A chat's form counter never goes back, so no two questions share a revision."""
    seen: list[int] = []
    for _ in range(2):
        await estate.send(ALICE, "/complain")
        seen += [int(d.split("|")[2]) for d in (await estate.last(ALICE)).callback_data[0]]
        await estate.send(ALICE, "/cancel")
        await estate.send(ALICE, "/repair")
        seen += [int(d.split("|")[2]) for d in (await estate.last(ALICE)).callback_data[0]]
        await estate.send(ALICE, "/cancel")
    firsts = seen[::2]  # a prompt's buttons share its revision
    assert seen[1::2] == firsts
    assert firsts == sorted(set(firsts)) and len(firsts) == 4  # each form's above the last's


# -- edited messages -------------------------------------------------------------------------------


async def test_an_edit_during_a_form_is_not_an_answer_and_the_question_comes_again(estate: Estate):
    await estate.send(ALICE, "/repair")
    await estate.tap(ALICE, "Water and drains")
    await estate.tap(ALICE, "Building 3")
    await estate.send(ALICE, "The sink leaks under the cabinet.")
    asked = await estate.last(ALICE)
    assert "up to 3 photos" in asked.text
    before = await estate.mark()

    await estate.edit(ALICE, "The sink and the tap leak under the cabinet.")
    note, again = await estate.messages(ALICE, after=before)
    assert note.text == (
        "I don't read edited messages, so your answers stay as you first sent them. To answer "
        "the question below, send a new message; to change an earlier answer, tap ✏️ Edit on "
        "the summary before you submit."
    )
    assert again.text == asked.text and again.buttons == asked.buttons
    assert await form(estate, ALICE) == ("repair", "photos")
    async with estate.db.uow(estate.estate_id) as uow:
        open_now = await uow.conversations.get(ALICE.id, ALICE.id)
        assert open_now is not None
        assert open_now.answers["description"] == "The sink leaks under the cabinet."

    await estate.edit(ALICE, "/cancel")  # an edit is not a command either
    assert await form(estate, ALICE) == ("repair", "photos")
    in_chinese = await estate.messages(ALICE, language="zh_Hans", after=before)
    assert in_chinese[0].text.startswith("我不会读取修改过的消息")


async def test_an_edit_in_a_form_without_a_summary_points_to_cancel(complaint: Estate):
    await complaint.tap(LI, "Minor", chat=FRONT_DESK)
    await owner_form(complaint, LI, "Reply", "We have spoken to 502.")
    await complaint.tap(ALICE, "Add information")
    assert await form(complaint, ALICE) == ("complaint_info", "info")
    await complaint.edit(ALICE, "Loud drilling from 502 every night.")
    note = (await complaint.messages(ALICE))[-2]
    assert note.text.endswith("to change an earlier answer, send /cancel and start again.")
    assert await form(complaint, ALICE) == ("complaint_info", "info")


async def test_an_edit_outside_a_form_or_in_a_group_is_ignored(job: Estate):
    before = await job.mark()
    await job.edit(ALICE, "/repair")
    await job.edit(ZHOU, "/queue", chat=ENGINEERING)
    assert await job.messages(ALICE, after=before) == []
    assert await job.messages(ENGINEERING, after=before) == []
    assert await form(job, ALICE) is None


# -- any callback data at all ----------------------------------------------------------------------

ACTIONS = sorted({*build_features(estate_config()).actions, *CORE_ACTIONS, "x"})
near_valid = st.builds(
    lambda action, args: "|".join(["1", action, *args]),
    st.sampled_from(ACTIONS),
    st.lists(
        st.sampled_from(["1", "2", "0", "-1", "01", "2147483648", "", "en", "xx", "major", "5"])
        | st.text(max_size=6),
        max_size=3,
    ),
)
callback_data = st.one_of(
    st.none(),
    st.text(max_size=70),
    st.text(st.characters(exclude_categories=()), max_size=70),  # lone surrogates too
    st.binary(max_size=70).map(lambda b: b.decode("utf-8", "surrogateescape")),
    near_valid,
)
tappers = st.sampled_from([(ALICE, None), (ZHOU, ENGINEERING), (MALLORY, None), (ZHOU, None)])


async def snapshot(estate: Estate) -> tuple:
    async with estate.db.uow(estate.estate_id) as uow:
        session = uow.session
        tickets = (
            await session.execute(select(Ticket.id, Ticket.status, Ticket.assignee_user_id))
        ).all()
        forms = (
            await session.execute(
                select(
                    Conversation.user_id,
                    Conversation.flow,
                    Conversation.step,
                    Conversation.revision,
                )
            )
        ).all()
        requests = (
            await session.execute(select(RegistrationRequest.id, RegistrationRequest.status))
        ).all()
    return sorted(tickets), sorted(forms), sorted(requests)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=callback_data, who=tappers)
async def test_any_callback_data_is_answered_and_what_is_refused_changes_nothing(
    job: Estate, data: str | None, who: tuple[Person, int | None]
):
    person, chat = who
    before = await snapshot(job)
    toast = await job.tap_data(person, data, chat=chat)  # answered, whatever it was
    try:
        unpack(data, job.desk.signatures)
    except BadCallback:
        assert toast.alert and toast.text == "This button is not valid."
        assert await snapshot(job) == before


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(typed=st.text(st.characters(exclude_categories=()), min_size=1) | st.text(min_size=1))
async def test_any_text_at_a_text_step_is_kept_as_seen_or_refused(estate: Estate, typed: str):
    await estate.send(ALICE, "/complain")
    await estate.tap(ALICE, "Noise and neighbours")
    await estate.send(ALICE, typed)
    async with estate.db.uow(estate.estate_id) as uow:
        open_now = await uow.conversations.get(ALICE.id, ALICE.id)
        assert open_now is not None
        step, answers = open_now.step, dict(open_now.answers)
    seen = visible(typed, multiline=True)
    if step == "what":  # refused: it shows fewer than 10 characters, or more than 2000
        assert not 10 <= visible_length(seen) or len(seen) > 2000
    else:
        assert step == "photos" and answers["what"] == seen
    await estate.send(ALICE, "/cancel")
