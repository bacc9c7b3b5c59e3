"""Every move of the repair lifecycle, as the people involved see it and as the ticket records it.

open -accept-> accepted -hand_back-> open; accepted -finish-> done; done -confirm-> confirmed (the
resident's tap, or silence); done -not_fixed-> open; confirmed -survey_low-> open;
confirmed -survey_ok-> closed. The estate opens on Monday 21 September 2026 at 10:00; the job
is reported at once, with a visit that evening (17:00-20:00).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage.models import Survey

from .harness import (
    ALICE,
    BOB,
    ENGINEERING,
    FRONT_DESK,
    LI,
    QIAN,
    SUN,
    WANG,
    ZHOU,
    Estate,
    Person,
    Shown,
    Toast,
    finish_job,
    local,
)


async def card(estate: Estate) -> str:
    """The newest repair card in engineering's group, as it reads now."""
    cards = [m for m in await estate.messages(ENGINEERING) if "Repair R-0001" in m.text]
    return cards[-1].text


async def state(estate: Estate) -> tuple[str, int | None, int]:
    ticket = await estate.ticket("repair")
    return ticket.status, ticket.assignee_user_id, ticket.reopened


async def accepted(estate: Estate, technician: Person = ZHOU) -> None:
    toast = await estate.tap(technician, "Accept", chat=ENGINEERING)
    assert not toast.alert, toast


async def done(estate: Estate) -> None:
    await accepted(estate)
    estate.clock.advance(hours=6)  # 16:00: the work is done before the visit window ends
    await finish_job(estate, ZHOU)


async def test_the_reported_job_waits_in_the_departments_group(job: Estate):
    cards = await job.messages(ENGINEERING)
    assert len(cards) == 1 and cards[0].buttons == [["Accept"], ["Re-route"]]
    for line in (
        "Category: Water and drains",
        "Where: Building 3, entrance 2, room 301",
        "Visit: Mon, Sep 21, evening (17:00–20:00)",
        "Reported by Alice Chen (1 resident affected)",
        "Waiting to be accepted",
    ):
        assert line in cards[0], (line, cards[0].text)
    assert await state(job) == ("open", None, 0)
    assert await job.pending("repair.") == {"repair.accept_sla": local(2026, 9, 21, 12, 0)}


async def test_accept_gives_the_job_to_the_technician_and_tells_the_resident(job: Estate):
    job.clock.advance(minutes=5)
    toast = await job.tap(ZHOU, "Accept", chat=ENGINEERING)

    assert toast.text == "R-0001 is yours. The resident's contact is in your private chat with me."
    assert "Accepted by Zhou Qiang at 9/21/26, 10:05 AM" in await card(job)
    assert (await job.messages(ENGINEERING))[0].buttons == [
        ["Done", "Hand back"],
        ["💴 Quote"],
        ["Re-route"],
    ]
    contact = (await job.last(ZHOU)).text
    assert "R-0001: the resident's contact" in contact and "+8613800000001" in contact
    assert (await job.last(ALICE)).text == (
        "R-0001: Zhou Qiang has accepted the job and will come on "
        "Mon, Sep 21, evening (17:00–20:00)."
    )
    assert (await job.last(ALICE, language="zh_Hans")).text == (
        "R-0001：Zhou Qiang 已接单，将于 9月21日周一 晚上（17:00–20:00） 上门。"
    )
    assert await state(job) == ("accepted", ZHOU.id, 0)
    assert await job.pending("repair.") == {"repair.window_end": local(2026, 9, 21, 20, 0)}
    assert ("repair.accept_sla", local(2026, 9, 21, 12, 0), "cancelled") in await job.timer_rows()


async def test_a_second_accept_is_refused_and_names_who_has_the_job(job: Estate):
    before = await job.last(ENGINEERING)  # the card as Qian saw it, with Accept
    await accepted(job)
    toast = await job.tap(QIAN, "Accept", chat=ENGINEERING, message=before)
    assert toast.alert and toast.text == "R-0001 was already accepted by Zhou Qiang."
    assert await state(job) == ("accepted", ZHOU.id, 0)
    assert "Accepted by Zhou Qiang" in await card(job)


async def test_hand_back_puts_the_job_back_in_the_queue_and_restarts_the_clock(job: Estate):
    await accepted(job)
    job.clock.advance(minutes=40)  # 10:40
    toast = await job.tap(ZHOU, "Hand back", chat=ENGINEERING)

    assert toast.text == "R-0001 is back in the queue."
    text = await card(job)
    assert "Waiting to be accepted" in text and "Accepted by" not in text
    assert "Open jobs: Qian Wei 0 · Zhou Qiang 0" in text  # nobody holds a job now
    assert (await job.messages(ENGINEERING))[0].buttons == [["Accept"], ["Re-route"]]
    assert "the technician cannot come after all" in (await job.last(ALICE)).text
    assert await state(job) == ("open", None, 0)
    # The acceptance clock runs again from the hand-back: 2 hours for a normal job.
    assert await job.pending("repair.") == {"repair.accept_sla": local(2026, 9, 21, 12, 40)}

    await accepted(job, QIAN)
    assert await state(job) == ("accepted", QIAN.id, 0)
    assert "Qian Wei has accepted the job" in (await job.last(ALICE)).text


async def test_finish_records_the_result_and_asks_the_resident(job: Estate):
    await done(job)

    text = await card(job)
    assert "Done by Zhou Qiang at 9/21/26, 4:00 PM" in text
    assert "Result: Replaced the seal." in text and "labour ¥50.00, materials ¥35.00" in text
    assert "Status: done, waiting for the resident" in text
    assert (await job.messages(ENGINEERING))[0].buttons == []
    asked = await job.last(ALICE)
    assert "R-0001 has been done." in asked and "Is the problem fixed?" in asked
    assert asked.buttons == [["✅ Fixed", "❌ Not fixed"]]
    assert await state(job) == ("done", ZHOU.id, 0)
    # Silence counts as confirmed 2 days after the job is done; the visit window no longer matters.
    assert await job.pending("repair.") == {"repair.confirm_timeout": local(2026, 9, 23, 16, 0)}


async def test_confirm_by_tap_thanks_the_resident_and_schedules_the_callback(job: Estate):
    await done(job)
    toast = await job.tap(ALICE, "Fixed")

    assert toast.text == "Thank you for confirming."
    assert (await job.last(ALICE)).text == "Thank you! R-0001 is confirmed as fixed."
    assert "Status: confirmed by the resident" in await card(job)
    assert (await job.ticket("repair")).status == "confirmed"
    # The callback survey: 1 working day later, Tuesday at the same time.
    # The callback: asked the next working day, again the day after, then a phone task.
    assert await job.pending("repair.") == {
        "repair.survey": local(2026, 9, 22, 16, 0),
        "repair.survey_remind": local(2026, 9, 23, 16, 0),
        "repair.survey_phone": local(2026, 9, 24, 16, 0),
    }

    again = await job.tap(ALICE, "Fixed")
    assert again.alert and again.text == "This was already answered."


async def phone_task(job: Estate, after: int):
    """The front desk's task to call the resident, as the group sees it now."""
    tasks = [m for m in await job.messages(FRONT_DESK, after=after) if m.text.startswith("📞")]
    assert len(tasks) == 1, tasks
    return tasks[0]


async def test_silence_is_a_phone_call_for_the_front_desk_not_a_signature(job: Estate):
    await done(job)
    mark = await job.mark()
    await job.wait(hours=48)  # Wednesday 16:00, 2 days after the job was done
    assert (await job.ticket("repair")).status == "done"  # silence confirms nothing
    task = await phone_task(job, mark)
    assert task.text.startswith("📞 Please call Alice Chen about R-0001"), task.text
    assert "+8613800000001" not in task.text  # a group: no phone numbers
    assert task.buttons == [["📞 Show the phone number"], ["✅ Confirmed by phone", "🔁 Not fixed"]]
    assert (await job.last(ALICE)).text.startswith(
        "We did not hear back about R-0001. The front desk will call you"
    )
    toast = await job.tap(ZHOU, "Show the phone number", chat=FRONT_DESK, message=task)
    assert toast.alert and "Only the front desk" in toast.text
    toast = await job.tap(LI, "Show the phone number", chat=FRONT_DESK, message=task)
    assert toast.alert and toast.text == "R-0001: call Alice Chen on +8613800000001"

    job.clock.advance(minutes=30)
    toast = await job.tap(LI, "Confirmed by phone", chat=FRONT_DESK, message=task)
    assert not toast.alert, toast
    ticket = await job.ticket("repair")
    assert (ticket.status, ticket.confirmed_at) == ("confirmed", local(2026, 9, 23, 16, 30))
    assert (await phone_task(job, mark)).text.endswith("✅ Confirmed by phone by Li Na.")
    assert (await phone_task(job, mark)).buttons == []
    assert "(confirmed by phone by Li Na)" in await card(job)
    assert (await job.last(ALICE)).text == (
        "Thank you for confirming on the phone that R-0001 is fixed."
    )
    assert (await job.pending("repair."))["repair.survey"] == local(2026, 9, 24, 16, 30)
    again = await job.tap(WANG, "Not fixed", chat=FRONT_DESK, message=task)  # a stale tap
    assert again.alert and again.text == "此项已经回复过了。"  # Wang reads Chinese


async def test_not_fixed_on_the_phone_sends_the_job_back(job: Estate):
    await done(job)
    mark = await job.mark()
    await job.wait(hours=48)
    task = await phone_task(job, mark)
    toast = await job.tap(LI, "Not fixed", chat=FRONT_DESK, message=task)
    assert not toast.alert, toast
    assert await state(job) == ("open", None, 1)
    assert "sent back to be done again" in (await phone_task(job, mark)).text


async def test_not_fixed_tapped_after_the_job_was_confirmed_is_refused_politely(job: Estate):
    await done(job)
    await job.tap(ALICE, "Fixed")
    late = await job.tap(ALICE, "Not fixed")  # the same question, answered again
    assert late.alert and late.text == "This was already answered."
    assert (await job.ticket("repair")).status == "confirmed"


async def test_not_fixed_reopens_the_job_on_a_new_card_and_tells_the_supervisor(job: Estate):
    await done(job)
    job.clock.advance(minutes=30)  # 16:30
    toast = await job.tap(ALICE, "Not fixed")

    assert toast.text == "Sorry about that. The job has been reopened."
    assert "R-0001 has been reopened" in (await job.last(ALICE)).text
    assert (await job.last(SUN)).text == (
        "↩️ The resident says R-0001 is not fixed; it has been reopened."
    )
    old, new = [m for m in await job.messages(ENGINEERING) if "Repair R-0001" in m.text]
    assert "Reopened: see the new card for this job." in old and old.buttons == []
    assert "Reopened (1)" in new and "Waiting to be accepted" in new
    assert new.buttons == [["Accept"], ["Re-route"]]
    assert await state(job) == ("open", None, 1)
    assert await job.pending("repair.") == {"repair.accept_sla": local(2026, 9, 21, 18, 30)}

    # Done again from the new card, and the resident is asked again.
    await accepted(job, QIAN)
    await finish_job(job, QIAN, "Replaced the whole trap.")
    assert "Replaced the whole trap." in (await job.last(ALICE)).text


STARS = [["1⭐", "2⭐", "3⭐", "4⭐", "5⭐"]]


async def survey(job: Estate) -> Shown:
    """Alice confirms on Monday at 16:00; the first question arrives on Tuesday at 16:00."""
    await done(job)
    await job.tap(ALICE, "Fixed")
    await job.wait_until(local(2026, 9, 22, 16, 0))
    asked = await job.last(ALICE)
    assert asked.text == (
        "How satisfied are you with the repair R-0001? Question 1 of 3 "
        "(1 = very unhappy, 5 = very happy):\n🧑‍🔧 The technician's skill and manner"
    ), asked.text
    assert asked.buttons == STARS
    return asked


async def answer(job: Estate, *stars: str) -> list[Toast]:
    """Alice taps one score per question, each on the question just asked."""
    toasts = []
    for star in stars:
        toasts.append(await job.tap(ALICE, star, message=await job.last(ALICE)))
    return toasts


async def scores(job: Estate) -> list[tuple[int | None, ...]]:
    """(skill, quality, process, overall rating, answered?) of each survey."""
    async with job.db.uow(job.estate_id) as uow:
        rows = await uow.session.scalars(select(Survey).order_by(Survey.id))
        return [(s.skill, s.quality, s.process, s.rating, s.answered_at is not None) for s in rows]


async def test_the_survey_asks_the_manuals_three_questions_one_tap_each(job: Estate):
    await survey(job)
    first = await job.tap(ALICE, "5⭐")
    assert first == Toast("Noted, thank you.", False)
    second = await job.last(ALICE)
    assert "Question 2 of 3" in second.text and "The quality of the work" in second.text
    assert second.buttons == STARS
    await job.tap(ALICE, "4⭐", message=second)
    third = await job.last(ALICE)
    assert "Question 3 of 3" in third.text
    assert "The process: how quickly we came, keeping the appointment, the front desk" in third.text
    assert await scores(job) == [(5, 4, None, None, False)]  # nothing decided halfway
    assert (await job.ticket("repair")).status == "confirmed"

    toast = await job.tap(ALICE, "4⭐", message=third)
    assert toast.text == "Thank you for your answers!"
    assert await scores(job) == [(5, 4, 4, 4, True)]  # overall: the lowest answer
    assert (await job.ticket("repair")).status == "closed"


async def test_the_survey_is_asked_in_the_residents_language(job: Estate):
    await survey(job)
    await job.tap(ALICE, "5⭐")
    chinese = await job.last(ALICE, language="zh_Hans")
    assert chinese.text == (
        "您对维修 R-0001 满意吗？第 2 题，共 3 题（1 = 非常不满意，5 = 非常满意）：\n🔧 维修质量"
    )


async def test_a_low_score_on_any_question_reopens_the_job_and_tells_the_supervisor(job: Estate):
    await survey(job)
    *_, toast = await answer(job, "5⭐", "5⭐", "2⭐")  # happy with all but the process

    assert toast.text == "We are sorry. R-0001 has been reopened and a supervisor will follow up."
    assert "Anything you would like to add?" in (await job.last(ALICE)).text
    alert = (await job.last(SUN)).text
    assert alert == "↩️ A resident gave R-0001 a low rating; it has been reopened."
    assert await state(job) == ("open", None, 1)
    assert await scores(job) == [(5, 5, 2, 2, True)]
    new = (await job.messages(ENGINEERING))[-1]
    assert "Reopened (1)" in new and new.buttons == [["Accept"], ["Re-route"]]
    reopened_at = local(2026, 9, 22, 16, 0)
    assert await job.pending("repair.") == {"repair.accept_sla": reopened_at + timedelta(hours=2)}


async def test_good_scores_close_the_job(job: Estate):
    await survey(job)
    *_, toast = await answer(job, "4⭐", "5⭐", "3⭐")  # a 3 is not unhappy enough to reopen

    assert toast.text == "Thank you for your answers!"
    await job.send(ALICE, "Quick and tidy.")
    assert (await job.last(ALICE)).text == "Thank you, your feedback is recorded."
    assert "Status: closed" in await card(job)
    ticket = await job.ticket("repair")
    assert (ticket.status, ticket.closed_at) == ("closed", local(2026, 9, 22, 16, 0))
    assert await job.pending("repair.") == {}
    assert not [m for m in await job.messages(SUN) if "R-0001" in m.text]
    assert await scores(job) == [(4, 5, 3, 3, True)]


async def test_double_taps_stale_and_forged_answers_are_refused_politely(job: Estate):
    first = await survey(job)
    [skill] = first.callback_data[0][4:5]  # 5⭐ on the first question
    assert skill.startswith("1|rep.score|") and skill.endswith("|skill|5")
    survey_id = skill.split("|")[2]
    ahead = await job.tap_data(ALICE, f"1|rep.score|{survey_id}|process|1")  # not asked yet
    assert ahead.alert and "does not exist" in ahead.text
    for forged in (f"1|rep.score|{survey_id}|skill|9", f"1|rep.score|{survey_id}|mood|5"):
        refused = await job.tap_data(ALICE, forged)
        assert refused.alert and "does not exist" in refused.text
    mallory = await job.tap_data(BOB, skill)  # someone else's survey
    assert mallory.alert and "does not exist" in mallory.text

    await job.tap_data(ALICE, skill)
    again = await job.tap_data(ALICE, skill)  # a double tap
    assert again.alert and "already answered" in again.text
    other = await job.tap(ALICE, "1⭐", message=first)  # the old question, another score
    assert other.alert and "already answered" in other.text
    await answer(job, "5⭐", "5⭐")
    late = await job.tap(ALICE, "1⭐", message=first)  # after the survey is done
    assert late.alert and "already answered" in late.text
    assert await scores(job) == [(5, 5, 5, 5, True)]
    assert (await job.ticket("repair")).status == "closed"


async def test_a_reminder_asks_the_question_where_the_resident_stopped(job: Estate):
    await survey(job)
    await job.tap(ALICE, "4⭐")  # answers the first question, then leaves it
    mark = await job.mark()
    await job.wait_until(local(2026, 9, 23, 16, 0))
    [reminder] = await job.messages(ALICE, after=mark)
    assert reminder.text.startswith("A reminder about R-0001")
    assert "Question 2 of 3" in reminder.text and "The quality of the work" in reminder.text
    await job.tap(ALICE, "5⭐", message=reminder)
    await job.tap(ALICE, "5⭐", message=await job.last(ALICE))
    assert await scores(job) == [(4, 5, 5, 4, True)]
    assert await job.pending("repair.") == {}  # no phone task: it was answered


async def test_an_unanswered_callback_is_asked_again_then_called_and_may_reopen(job: Estate):
    await done(job)
    await job.tap(ALICE, "Fixed")  # Monday 16:00
    await job.wait_until(local(2026, 9, 22, 16, 0))
    mark = await job.mark()
    await job.wait_until(local(2026, 9, 23, 16, 0))
    [reminder] = await job.messages(ALICE, after=mark)
    assert reminder.text.startswith("A reminder about R-0001: we would like to hear from you.")
    assert reminder.buttons == STARS  # the first question again
    mark = await job.mark()
    await job.wait_until(local(2026, 9, 24, 16, 0))
    task = await phone_task(job, mark)
    assert task.text.startswith("📞 Callback R-0001: Alice Chen has not answered"), task.text
    toast = await job.tap(LI, "Not satisfied", chat=FRONT_DESK, message=task)
    assert not toast.alert, toast
    assert await state(job) == ("open", None, 1)  # sent back to be done again
    assert "Called back by Li Na: not satisfied" in (await phone_task(job, mark)).text
    async with job.db.uow(job.estate_id) as uow:
        [answered] = await uow.session.scalars(select(Survey))
    assert answered.by_phone and answered.rating == 1  # one verdict: not satisfied
    assert (answered.skill, answered.quality, answered.process) == (None, None, None)
