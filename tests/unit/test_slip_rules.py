"""Release-slip rules, checked without a bot: the gate's window, the reconciliation time, the
gate code, and which requests are special cases for a supervisor."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from handlers.config import ConfigError, example_config_text, load_estate_config_text
from handlers.slips.approval import _special_case, is_special, new_code
from handlers.slips.policy import SlipPolicy, slip_policy

ZONE = ZoneInfo("Asia/Shanghai")
POLICY = SlipPolicy(
    timezone=ZONE,
    auto_approve=False,
    days_ahead=14,
    window_grace=timedelta(minutes=30),
    department="security",
    reconcile_at=time(20),
    lookup_attempts=5,
    lookup_window=timedelta(minutes=10),
)


def test_the_gate_accepts_a_slip_within_its_window_and_the_grace():
    start, end = POLICY.window("2026-12-02", "morning")
    assert start == datetime(2026, 12, 2, 8, 30, tzinfo=ZONE)
    assert end == datetime(2026, 12, 2, 12, 30, tzinfo=ZONE)


def test_the_reconciliation_is_due_tonight_or_tomorrow_night():
    before = datetime(2026, 12, 2, 11, 0, tzinfo=UTC)  # 19:00 in Shanghai
    assert POLICY.reconcile_due(before) == datetime(2026, 12, 2, 20, 0, tzinfo=ZONE)
    after = datetime(2026, 12, 2, 12, 30, tzinfo=UTC)  # 20:30 in Shanghai
    assert POLICY.reconcile_due(after) == datetime(2026, 12, 3, 20, 0, tzinfo=ZONE)


def test_a_gate_code_is_long_random_and_fits_a_deep_link():
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(r"[A-Za-z0-9_-]{20,}", code)
        assert len("slip_" + code) <= 64


def _slip(verified: bool, fees: str | None) -> SimpleNamespace:
    return SimpleNamespace(details={"verified": verified, "fees": fees})


def test_special_cases_are_the_supervisors_to_decide():
    assert not is_special(_slip(True, None))  # no fee data: the front desk checks the accounts
    assert not is_special(_slip(True, "0"))
    assert is_special(_slip(True, "320.50"))
    assert is_special(_slip(False, None))
    desk = SimpleNamespace(role="front_desk")
    boss = SimpleNamespace(role="supervisor")
    assert _special_case(desk, _slip(True, "320.50")).alert  # type: ignore[union-attr]
    assert _special_case(boss, _slip(True, "320.50")) is None
    assert _special_case(desk, _slip(True, "0")) is None


def test_the_example_config_describes_release_slips():
    policy = slip_policy(load_estate_config_text(example_config_text()))
    assert policy.days_ahead == 14 and policy.window_grace == timedelta(minutes=30)
    assert policy.reconcile_at == time(20) and policy.department == "security"


def test_the_config_refuses_working_time_and_a_bad_hour_for_the_gate():
    text = example_config_text()
    with pytest.raises(ConfigError, match="window_grace"):
        load_estate_config_text(
            text.replace('window_grace = "30m"', 'window_grace = "1 working day"')
        )
    with pytest.raises(ConfigError, match="reconcile_at"):
        load_estate_config_text(text.replace('reconcile_at = "20:00"', 'reconcile_at = "8pm"'))
