"""Callback data is packed in one place and parsed as untrusted input."""

from __future__ import annotations

import pytest

from bot.core.callbacks import BadCallback, Callback, pack, unpack

SIGNATURES = {"reg.approve": (int,), "flow": (int, str)}


def test_round_trip():
    assert unpack(pack("flow", [3, "edit:room"]), SIGNATURES) == Callback("flow", (3, "edit:room"))


@pytest.mark.parametrize(
    "data",
    ["", None, "2|reg.approve|1", "1|reg.delete|1", "1|reg.approve|x", "1|reg.approve",
     "1|reg.approve|1|2", "1|flow|1|", "x" * 65,
     # numbers only as the bot writes them, and within a database integer
     "1|reg.approve| 1", "1|reg.approve|+1", "1|reg.approve|01", "1|reg.approve|-1",
     "1|reg.approve|1_0", "1|reg.approve|\u0661", "1|reg.approve|2147483648",
     # other arguments: printable ASCII only
     "1|flow|1|sk ip", "1|flow|1|\u200bskip", "1|flow|1|\x00", "1|flow|1|\ud800"],
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
