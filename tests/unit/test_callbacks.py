"""Callback data is packed in one place and parsed as untrusted input."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.callbacks import BadCallback, Callback, pack, unpack
from bot.core.flows import FlowRunner
from conversations.steps import AskChoice, AskText, Confirm, Flow, Option
from handlers.messages import text

SIGNATURES = {"reg.approve": (int,), "flow": (int, str)}


def test_round_trip():
    assert unpack(pack("flow", [3, "edit:room"]), SIGNATURES) == Callback("flow", (3, "edit:room"))


@pytest.mark.parametrize(
    "data",
    [
        "",
        None,
        "2|reg.approve|1",
        "1|reg.delete|1",
        "1|reg.approve|x",
        "1|reg.approve",
        "1|reg.approve|1|2",
        "1|flow|1|",
        "x" * 65,
        # numbers only as the bot writes them, and within a database integer
        "1|reg.approve| 1",
        "1|reg.approve|+1",
        "1|reg.approve|01",
        "1|reg.approve|-1",
        "1|reg.approve|1_0",
        "1|reg.approve|\u0661",
        "1|reg.approve|2147483648",
        # other arguments: printable ASCII only
        "1|flow|1|sk ip",
        "1|flow|1|\u200bskip",
        "1|flow|1|\x00",
        "1|flow|1|\ud800",
    ],
)
def test_forged_or_malformed_data_is_refused(data):
    with pytest.raises(BadCallback):
        unpack(data, SIGNATURES)


def test_packing_refuses_data_over_64_bytes():
    with pytest.raises(ValueError, match="64 bytes"):
        pack("flow", [1, "e" * 70])


@pytest.mark.parametrize("args", [[1, "é"], [1, "a b"], [-1, "x"], [2**31, "x"]])
def test_packing_refuses_what_unpacking_would(args):
    with pytest.raises(ValueError):
        pack("flow", args)


# -- any data at all --------------------------------------------------------------------------

PROPERTY = settings(max_examples=300, deadline=None)
WIDE = {
    "flow": (int, str),
    "form": (int, str),
    "reg.approve": (int,),
    "cmp.triage": (int, str),
    "rep.rate": (int, int),
    "lang": (str,),
}
parts = st.one_of(
    st.text(max_size=12),
    st.sampled_from([*WIDE, "1", "0", "-1", "01", "2147483647", "2147483648", "", " 1", "x"]),
    st.integers(-(2**64), 2**64).map(str),
)
near_valid = st.builds(
    lambda version, action, args: "|".join([version, action, *args]),
    st.sampled_from(["1", "2", "", "１"]),
    st.sampled_from([*WIDE, "nope", ""]),
    st.lists(parts, max_size=4),
)
any_data = st.one_of(
    st.none(),
    st.text(),
    st.text(st.characters(exclude_categories=())),  # lone surrogates too
    st.binary(max_size=80).map(lambda b: b.decode("utf-8", "surrogateescape")),
    st.binary(max_size=80).map(lambda b: b.decode("latin-1")),
    near_valid,
)


@PROPERTY
@given(any_data)
def test_any_data_is_refused_or_is_exactly_what_pack_would_write(data):
    try:
        callback = unpack(data, WIDE)
    except BadCallback:
        return
    signature = WIDE[callback.action]
    assert len(callback.args) == len(signature)
    for arg, kind in zip(callback.args, signature, strict=True):
        assert type(arg) is kind
        if kind is int:
            assert 0 <= arg <= 2**31 - 1
        else:
            assert arg.isascii() and arg.isprintable() and " " not in arg and "|" not in arg
    assert pack(callback.action, callback.args) == data


@PROPERTY
@given(
    st.sampled_from(sorted(WIDE)),
    st.lists(st.integers(0, 2**31 - 1) | st.from_regex(r"[!-{}~]{1,20}", fullmatch=True)),
)
def test_what_pack_writes_unpacks_to_itself(action, args):
    signature = WIDE[action]
    args = args[: len(signature)]
    if len(args) != len(signature) or any(
        isinstance(arg, int) is not (kind is int) for arg, kind in zip(args, signature, strict=True)
    ):
        return
    try:
        data = pack(action, args)
    except ValueError:
        assert len("|".join(["1", action, *map(str, args)]).encode()) > 64
        return
    assert unpack(data, WIDE) == Callback(action, tuple(args))


async def _submit(*_args):
    return None


LONG = "a_rather_long_field_name_" * 2


@pytest.mark.parametrize(
    "steps",
    [
        (
            AskText(name=LONG, prompt=text("p")),
            Confirm(name="c", prompt=text("p"), editable=(LONG,)),
        ),
        (AskChoice(name="pick", prompt=text("p"), choices=[Option("x" * 50, text("p"))]),),
        (AskChoice(name="pick", prompt=text("p"), choices=[Option("not ascii é", text("p"))]),),
    ],
)
def test_a_flow_whose_buttons_cannot_be_packed_fails_at_start(steps):
    flow = Flow("bad", steps, submit=_submit)
    with pytest.raises(ValueError, match="does not fit"):
        FlowRunner([flow], today=lambda _uow: date(2026, 11, 24))
