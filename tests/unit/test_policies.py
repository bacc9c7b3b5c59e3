"""Policies built from the estate config, checked without a bot."""

from __future__ import annotations

from handlers.complaints.policy import complaint_policy
from handlers.config import example_config_text, load_estate_config_text


def test_a_complaint_is_routed_to_departments_that_fix_causes_not_to_management():
    config = load_estate_config_text(example_config_text())
    keys = {key for key, _name in complaint_policy(config).departments}
    assert "engineering" in keys and "security" in keys
    assert "front_desk" not in keys and "managers" not in keys
