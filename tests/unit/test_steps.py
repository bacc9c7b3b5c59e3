"""Steps judge answers without a bot: what they accept, and the polite reason they refuse."""

from __future__ import annotations

from datetime import date

import pytest

from conversations.registration import registration_flow
from conversations.steps import (
    Accepted,
    AskContact,
    AskDate,
    AskPhotos,
    AskText,
    Confirm,
    Flow,
    Input,
    Pending,
    Refused,
)
from handlers.messages import text

TODAY = date(2026, 11, 24)
ME = 42


def judge(step, given, answers=None):
    return step.judge(given, answers or {}, ME, TODAY)


def test_text_is_trimmed_and_accepted():
    step = AskText(name="room", prompt=text("p"), max_length=20)
    assert judge(step, Input("text", text="  30 1 ")) == Accepted("30 1")


def test_text_over_the_limit_is_refused_with_both_lengths():
    step = AskText(name="room", prompt=text("p"), max_length=20)
    verdict = judge(step, Input("text", text="x" * 5000))
    assert isinstance(verdict, Refused)
    assert verdict.reason["key"] == "flow.error.text_too_long"
    assert verdict.reason["params"] == {"maximum": 20, "length": 5000}


@pytest.mark.parametrize("given", [Input("other"), Input("photo", photo_file_id="f")])
def test_a_sticker_or_photo_where_text_is_asked_is_refused(given):
    verdict = judge(AskText(name="room", prompt=text("p")), given)
    assert verdict == Refused(text("flow.error.text_expected"))


def test_blank_text_is_refused_as_empty():
    verdict = judge(AskText(name="room", prompt=text("p")), Input("text", text="   "))
    assert verdict == Refused(text("flow.error.text_empty"))


def test_contact_of_someone_else_is_refused():
    step = AskContact(name="phone", prompt=text("p"))
    verdict = judge(step, Input("contact", contact_phone="8613800000001", contact_user_id=7))
    assert verdict == Refused(text("flow.error.contact_not_own"))


def test_own_contact_is_accepted():
    step = AskContact(name="phone", prompt=text("p"))
    verdict = judge(step, Input("contact", contact_phone="8613800000001", contact_user_id=ME))
    assert verdict == Accepted("8613800000001")


def test_typed_phone_number_is_not_a_contact():
    step = AskContact(name="phone", prompt=text("p"))
    assert isinstance(judge(step, Input("text", text="13800000001")), Refused)


def test_album_photos_are_collected_and_acknowledged_once():
    step = AskPhotos(name="photos", prompt=text("p"), max_count=3)
    first = judge(step, Input("photo", photo_file_id="a", media_group_id="g"))
    assert isinstance(first, Pending) and first.note is not None
    answers = {"photos": first.value, "_photos_album": "g"}
    second = judge(step, Input("photo", photo_file_id="b", media_group_id="g"), answers)
    assert isinstance(second, Pending) and second.note is None
    third = judge(step, Input("photo", photo_file_id="c", media_group_id="g"),
                  {"photos": second.value, "_photos_album": "g"})
    assert third == Accepted(["a", "b", "c"])


def test_photos_can_be_skipped():
    step = AskPhotos(name="photos", prompt=text("p"))
    assert judge(step, Input("button", button="skip")) == Accepted([])


def test_date_outside_the_horizon_is_refused():
    step = AskDate(name="day", prompt=text("p"), horizon_days=7)
    assert judge(step, Input("text", text="2026-11-25")) == Accepted("2026-11-25")
    assert isinstance(judge(step, Input("text", text="2027-01-01")), Refused)
    assert isinstance(judge(step, Input("text", text="tomorrow")), Refused)


def test_confirm_takes_only_its_buttons():
    step = Confirm(name="confirm", prompt=text("p"))
    assert judge(step, Input("button", button="submit")) == Accepted("submit")
    assert isinstance(judge(step, Input("text", text="yes")), Refused)


async def _noop(*_args):
    return None


def test_a_flow_with_repeated_step_names_fails_when_declared():
    with pytest.raises(ValueError, match="repeat"):
        Flow("bad", (AskText(name="a", prompt=text("p")), AskText(name="a", prompt=text("p"))),
             submit=_noop)


def test_a_confirm_that_edits_an_unknown_step_fails_when_declared():
    with pytest.raises(ValueError, match="unknown steps"):
        Flow("bad", (Confirm(name="c", prompt=text("p"), editable=("nope",)),), submit=_noop)


def test_registration_reads_as_the_procedure():
    flow = registration_flow(lambda requested: requested)
    assert [s.name for s in flow.steps] == [
        "phone", "building", "entrance", "room", "confirm"
    ]
