"""Who may record on someone's behalf, and how a typed unit is read."""

from __future__ import annotations

import pytest

from handlers.behalf import COMPLAINT, REPAIR, Recording, may_record, parse_unit
from handlers.config import StaffRole


@pytest.mark.parametrize("role", ["front_desk", "supervisor", "admin"])
@pytest.mark.parametrize("kind", [REPAIR, COMPLAINT])
@pytest.mark.parametrize("common", [True, False])
def test_the_front_desk_and_those_over_it_record_anything_for_any_unit(
    role: str, kind: str, common: bool
):
    assert may_record(role, kind, common=common)


def test_a_guard_records_common_area_repairs_only():
    assert may_record("guard", REPAIR, common=True)
    assert not may_record("guard", REPAIR, common=False)
    assert not may_record("guard", COMPLAINT, common=True)
    assert not may_record("guard", COMPLAINT, common=False)


@pytest.mark.parametrize("role", ["technician", "finance", None, "resident"])
def test_nobody_else_records(role: str | None):
    assert not any(
        may_record(role, kind, common=common)
        for kind in (REPAIR, COMPLAINT)
        for common in (True, False)
    )


def test_every_configurable_role_has_a_decided_answer():
    recording = {r for r in StaffRole if may_record(r.value, REPAIR, common=True)}
    assert recording == {
        StaffRole.ADMIN,
        StaffRole.FRONT_DESK,
        StaffRole.SUPERVISOR,
        StaffRole.GUARD,
    }


@pytest.mark.parametrize(
    "typed", ["3-2-301", " 3 2 301 ", "3/2/301", "3–2–301", "3，2，301", "3-2-#301"]
)
def test_a_unit_typed_as_staff_would_is_read(typed: str):
    assert parse_unit(typed) == ("3", "2", "301")


@pytest.mark.parametrize("typed", ["3-301", "301", "", "3-2-301-4", "---"])
def test_a_unit_without_building_entrance_and_room_is_not_guessed(typed: str):
    assert parse_unit(typed) is None


def test_a_recording_survives_the_form_answers_it_is_kept_in():
    recording = Recording("phone", 7, 1001, "Wang Fang")
    assert Recording.of({"_behalf": recording.answer()}) == recording
    assert Recording.of({"_behalf": Recording("patrol", None, 5, "Ma Jun").answer()}) == (
        Recording("patrol", None, 5, "Ma Jun")
    )
    assert Recording.of({"where": "common"}) is None
