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
     "1|reg.approve|1|2", "1|flow|1|", "x" * 65],
)
def test_forged_or_malformed_data_is_refused(data):
    with pytest.raises(BadCallback):
        unpack(data, SIGNATURES)


def test_packing_refuses_data_over_64_bytes():
    with pytest.raises(ValueError, match="64 bytes"):
        pack("flow", [1, "é" * 40])
