"""The registry refuses to start on a name claimed twice or a reference nobody declared."""

from __future__ import annotations

import pytest

import conversations.complaints
import conversations.registration
import conversations.repairs
from bot.features import FEATURES, RegistryError, build_features
from conversations.feature import Command, Feature, FeatureContext
from conversations.steps import AskText, Flow
from handlers.actions import Action, Form
from handlers.actor import TapAnswer
from handlers.config import example_config_text, load_estate_config_text
from handlers.messages import text

CONFIG = load_estate_config_text(example_config_text())


async def _tap(*_args: object) -> TapAnswer:
    return TapAnswer(text("error.button_invalid"))


async def _run(*_args: object) -> None:
    return None


def _with(extra: Feature) -> list:
    return [*FEATURES, lambda _context: extra]


def test_the_estate_assembles_from_its_features():
    features = build_features(CONFIG)
    assert {"registration", "repair", "complaint", "repair_done"} <= set(features.flows)
    assert features.actions["rep.accept"].args == (int,)
    assert features.actions["cmp.triage"].args == (int, str)
    assert features.menu.entries == ("repair", "complain", "release", "my")
    assert features.telegram_commands == (
        "start",
        "repair",
        "complain",
        "release",
        "my",
        "help",
        "cancel",
        "lang",
    )
    assert set(features.lifecycles) == {"repair", "complaint", "slip", "fee", "desk"}
    assert {"repair.accept_sla", "complaint.reply_breach", "registration.reminder"} <= set(
        features.timers
    )


def test_a_command_two_features_claim_is_refused_by_name():
    clash = Feature(name="intruder", commands=(Command("repair", _run),))
    with pytest.raises(RegistryError, match="/repair"):
        build_features(CONFIG, _with(clash))


def test_listing_sections_of_one_command_run_together():
    features = build_features(CONFIG)
    assert "my" in features.private_commands
    assert features.listed("staff", group=True) == [
        "complaints",
        "check",
        "arrears",
        "report",
        "export",
        "queue",  # repairs, then the front desk's own requests
        "callbacks",
    ]


def test_an_action_claimed_twice_names_both_features():
    twice = Feature(name="intruder", actions={Action("rep.accept"): _tap})
    with pytest.raises(RegistryError, match="repairs and intruder"):
        build_features(CONFIG, _with(twice))


def test_a_form_without_its_flow_is_refused():
    lonely = Feature(name="lonely", forms=(Form("nowhere"),))
    with pytest.raises(RegistryError, match="'nowhere' has no flow"):
        build_features(CONFIG, _with(lonely))


def test_an_action_nobody_binds_is_refused_at_start():
    forgotten = Action("test.forgotten")
    try:
        with pytest.raises(RegistryError, match=r"test\.forgotten"):
            build_features(CONFIG)
    finally:
        del Action.declared[forgotten.name]


def test_a_flow_name_taken_twice_is_refused():
    again = Flow(
        name="repair",
        steps=(AskText(name="x", prompt=text("repair.ask_place")),),
        submit=None,
        cancelled=text("repair.cancelled"),
        help=text("repair.help"),
    )
    with pytest.raises(RegistryError, match="flow 'repair'"):
        build_features(CONFIG, _with(Feature(name="again", flows=(again,))))


def test_the_desk_keeps_its_own_commands():
    with pytest.raises(RegistryError, match="desk's own"):
        build_features(CONFIG, _with(Feature(name="greedy", commands=(Command("start", _run),))))


def test_each_feature_declares_itself_from_the_config():
    menu_less = FeatureContext(CONFIG, build_features(CONFIG).menu)
    for factory in (
        conversations.registration.feature,
        conversations.repairs.feature,
        conversations.complaints.feature,
    ):
        assert factory(menu_less).name
