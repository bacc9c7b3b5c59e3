"""Ticket lifecycles, checked without a bot."""

from __future__ import annotations

import pytest

from handlers.complaints.lifecycle import COMPLAINT
from handlers.repairs.lifecycle import REPAIR
from handlers.rules.lifecycle import Lifecycle, TransitionRefused


def test_a_repair_goes_from_dispatch_to_closed():
    state = REPAIR.start
    for action in ("accept", "finish", "confirm", "survey_ok"):
        state = REPAIR.after(state, action)
    assert state == "closed"


@pytest.mark.parametrize(
    ("state", "action"),
    [("open", "finish"), ("closed", "accept"), ("done", "accept"), ("open", "confirm")],
)
def test_actions_out_of_order_are_refused(state, action):
    with pytest.raises(TransitionRefused):
        REPAIR.after(state, action)


def test_not_fixed_and_an_unhappy_callback_reopen_the_job():
    assert REPAIR.after("done", "not_fixed") == "open"
    assert REPAIR.after("confirmed", "survey_low") == "open"
    assert REPAIR.sources("hand_back") == {"accepted", "quoted"}


def test_a_quote_for_paid_work_waits_for_the_resident_and_a_decline_stops_the_job():
    assert REPAIR.after(REPAIR.after("accepted", "quote"), "agree") == "accepted"
    assert REPAIR.is_final(REPAIR.after("quoted", "decline"))
    assert not REPAIR.allows("quoted", "finish")  # no work before the resident agrees
    assert REPAIR.allows("closed", "pay") and not REPAIR.allows("declined", "pay")


def test_a_state_nothing_leads_to_fails_at_declaration():
    with pytest.raises(ValueError, match="never reached"):
        Lifecycle("bad", "a", frozenset({"z"}), {("a", "go"): "z", ("b", "go"): "z"})


def test_a_dead_end_fails_at_declaration():
    with pytest.raises(ValueError, match="no way out"):
        Lifecycle("bad", "a", frozenset({"z"}), {("a", "go"): "b", ("a", "end"): "z"})


def test_a_complaint_is_triaged_resolved_and_called_back():
    state = COMPLAINT.start
    for action in ("triage", "resolve", "unsatisfied", "resolve", "satisfied"):
        state = COMPLAINT.after(state, action)
    assert state == "closed"


def test_an_invalid_complaint_is_explained_before_it_ends():
    assert COMPLAINT.after(COMPLAINT.after("new", "claim_invalid"), "explain") == "invalid"
    with pytest.raises(TransitionRefused):
        COMPLAINT.after("new", "explain")


def test_transitions_are_asked_for_by_action_and_the_table_decides():
    assert REPAIR.allows("open", "accept") and not REPAIR.allows("done", "accept")
    assert COMPLAINT.allows("resolved", "reply")  # changes no state, allowed where declared
    assert not COMPLAINT.allows("new", "reply")
    assert COMPLAINT.sources("reply") == {"open", "resolved"}
    assert "reply" not in {action for _state, action in COMPLAINT.moves}


def test_an_action_that_both_moves_and_stays_fails_at_declaration():
    with pytest.raises(ValueError, match="both moves and stays"):
        Lifecycle("bad", "a", frozenset({"z"}), {("a", "go"): "z"}, {"go": frozenset({"a"})})


def test_a_staying_action_in_an_unknown_state_fails_at_declaration():
    with pytest.raises(ValueError, match="unknown states"):
        Lifecycle("bad", "a", frozenset({"z"}), {("a", "go"): "z"}, {"look": frozenset({"q"})})


def test_a_lifecycle_prints_as_a_mermaid_state_diagram():
    diagram = REPAIR.mermaid().splitlines()
    assert diagram[0] == "stateDiagram-v2"
    assert "    [*] --> open" in diagram
    assert "    accepted --> done: finish" in diagram
    assert "    closed --> [*]" in diagram
    ends = len(REPAIR.final)
    assert len([line for line in diagram if "-->" in line]) == len(REPAIR.moves) + 1 + ends
