"""Steps judge answers without a bot: what they accept, and the polite reason they refuse."""

from __future__ import annotations

from datetime import date

import pytest

from conversations.registration import registration_flow
from conversations.steps import (
    Accepted,
    AskAmount,
    AskAttachment,
    AskContact,
    AskDate,
    AskPhone,
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


@pytest.mark.parametrize("invisible", ["\u200b", "\u2060\ufeff", " \u200b \u3164 ", "\u202e\u00ad"])
@pytest.mark.parametrize("max_length", [20, 1000])
def test_text_made_only_of_invisible_characters_is_refused_as_such(invisible, max_length):
    step = AskText(name="description", prompt=text("p"), max_length=max_length)
    verdict = judge(step, Input("text", text=invisible * 3))
    assert verdict == Refused(text("flow.error.text_invisible"))


def test_the_minimum_counts_only_visible_characters():
    step = AskText(name="what", prompt=text("p"), min_length=5, max_length=1000)
    padded = "ab\u200b\u200b\u200bc\u2060d"
    assert judge(step, Input("text", text=padded)) == Refused(
        text("flow.error.text_too_short", minimum=5)
    )
    assert judge(step, Input("text", text="水管漏水了")) == Accepted("水管漏水了")


def test_long_text_keeps_its_lines_as_seen_and_short_text_is_one_line():
    typed = "\u200bLeak  under\u2060 the sink.\r\n\r\n\r\nSince Monday. \u200b"
    long = AskText(name="description", prompt=text("p"), max_length=1000)
    short = AskText(name="room", prompt=text("p"), max_length=200)
    assert judge(long, Input("text", text=typed)) == Accepted(
        "Leak under the sink.\n\nSince Monday."
    )
    assert judge(short, Input("text", text=typed)) == Accepted("Leak under the sink. Since Monday.")


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("120", "120.00"),
        ("¥120.5", "120.50"),
        ("￥1,200", "1200.00"),
        ("１２０元", "120.00"),
        ("\u200b50\u2060", "50.00"),
        ("-0", "0.00"),
        ("0", "0.00"),
    ],
)
def test_amounts_are_read_as_seen(typed, amount):
    assert judge(AskAmount(name="fee", prompt=text("p")), Input("text", text=typed)) == Accepted(
        amount
    )


@pytest.mark.parametrize("typed", ["NaN", "Infinity", "1e3", "1_000", "12.5.3", "fifty", "¥"])
def test_what_is_not_a_plain_amount_is_refused(typed):
    verdict = judge(AskAmount(name="fee", prompt=text("p")), Input("text", text=typed))
    assert verdict == Refused(text("flow.error.amount_expected"))


def test_an_invisible_amount_phone_or_day_is_refused_as_invisible():
    for step in (
        AskAmount(name="fee", prompt=text("p")),
        AskPhone(name="phone", prompt=text("p")),
        AskDate(name="day", prompt=text("p")),
    ):
        verdict = judge(step, Input("text", text="\u200b\ufeff"))
        assert verdict == Refused(text("flow.error.text_invisible")), step


def test_a_phone_or_day_with_invisible_or_full_width_characters_reads_as_seen():
    phone = AskPhone(name="phone", prompt=text("p"))
    assert judge(phone, Input("text", text="138\u200b0000\u20600001")) == Accepted("+8613800000001")
    assert judge(phone, Input("text", text="１３８ ００００ ０００１")) == Accepted(
        "+8613800000001"
    )
    day = AskDate(name="day", prompt=text("p"))
    assert judge(day, Input("text", text="\ufeff２０２６－１１－２５\u200b")) == Accepted(
        "2026-11-25"
    )


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
    third = judge(
        step,
        Input("photo", photo_file_id="c", media_group_id="g"),
        {"photos": second.value, "_photos_album": "g"},
    )
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
        Flow(
            "bad",
            (AskText(name="a", prompt=text("p")), AskText(name="a", prompt=text("p"))),
            submit=_noop,
        )


def test_a_confirm_that_edits_an_unknown_step_fails_when_declared():
    with pytest.raises(ValueError, match="unknown steps"):
        Flow("bad", (Confirm(name="c", prompt=text("p"), editable=("nope",)),), submit=_noop)


def test_registration_reads_as_the_procedure():
    flow = registration_flow(lambda requested: requested)
    assert [s.name for s in flow.steps] == ["phone", "building", "entrance", "room", "confirm"]


def test_an_attachment_is_one_photo_or_one_file_or_none():
    step = AskAttachment(name="attachment", prompt=text("broadcast.ask_attachment"))
    assert judge(step, Input("photo", photo_file_id="p")) == Accepted({"photo": "p"})
    assert judge(step, Input("document", document_file_id="d")) == Accepted({"document": "d"})
    assert judge(step, Input("button", button="skip")) == Accepted({})
    for given in (Input("text", text="here"), Input("other"), Input("document")):
        assert judge(step, given) == Refused(text("flow.error.attachment_expected"))
    assert step.shown({"document": "d"}) == text("flow.attachment.document")
    assert step.shown({}) == text("flow.attachment.none")
