"""Every text the code can show exists in both catalogs, translated, with the same placeholders."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.features import build_features
from bot.i18n import LANGUAGES, po_path
from conversations.behalf import KINDS as RECORDED_KINDS
from conversations.steps import Confirm
from handlers import behalf
from handlers.callbacks import CHASED
from handlers.complaints.handling import EXPLAINED, EXPLAINED_HOW, EXPLAINED_IN_PERSON, RESOLVED
from handlers.complaints.lifecycle import COMPLAINT
from handlers.complaints.policy import SEVERITIES
from handlers.config import StaffRole, example_config_text, load_estate_config_text
from handlers.desk.common import ANSWERED_AT_ONCE
from handlers.desk.common import KINDS as DESK_KINDS
from handlers.desk.lifecycle import DESK
from handlers.fees.common import VISIT_STEPS
from handlers.fees.ladder import NOTICES
from handlers.fees.lifecycle import FEE_CASE
from handlers.fees.types import FEE_TYPES
from handlers.fees.visits import OUTCOMES
from handlers.repairs.lifecycle import REPAIR
from handlers.repairs.views import TIMELINE
from handlers.reports import complaints as complaint_report
from handlers.reports import desk as desk_report
from handlers.reports import fees as fee_report
from handlers.reports import repairs as repair_report
from handlers.reports import slips as slip_report
from handlers.reports.period import KINDS
from handlers.rules.visits import SLOTS
from handlers.slips.lifecycle import SLIP
from handlers.slips.reconcile import COUNTED
from storage.models import SURVEY_QUESTIONS

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = ("bot", "handlers", "conversations")
# The sandbox Bot API server translates nothing, and Babel's extractor misreads one of its
# f-strings followed by a `text` field as a call to `text(...)`.


def _literal_keys() -> set[str]:
    """The keys written out in the source: the string literal of every `text("key", ...)` call.

    The source is parsed, not scanned as tokens: a gettext extractor given the keyword `text`
    sees every name `text`, attributes and variables too, and Babel 2.19's takes
    `self.text[:57] + "..."` for the start of a call, gluing the strings and the docstring that
    follow into one "key". Only calls of the bare name `text` with a literal key count here.
    """
    keys: set[str] = set()
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                    continue
                if node.func.id != "text":
                    continue
                arguments = node.args[:1] + [k.value for k in node.keywords if k.arg == "key"]
                for argument in arguments:
                    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                        keys.add(argument.value)
    return keys


VISIT_PARTS = ("event.visit", "form.outcome", "visit.recorded")
"""The fee messages built per outcome of a home visit."""


def _dynamic_keys() -> set[str]:
    """Keys the code builds from data: every value of those families must be translated."""
    keys = {f"role.{role.value}" for role in StaffRole}
    keys |= {f"registration.status.{s}" for s in ("pending", "approved", "rejected")}
    keys |= {f"repair.status.{state}" for state in REPAIR.states}
    keys |= {f"repair.slot.{slot}" for slot in SLOTS} | {f"repair.slot_option.{s}" for s in SLOTS}
    keys |= {f"repair.urgency.{u}" for u in ("urgent", "normal")}
    keys |= {f"repair.supervisor.{reason}" for reason in ("not_fixed", "survey_low")}
    keys |= {f"repair.survey.question.{question}" for question in SURVEY_QUESTIONS}
    keys |= set(TIMELINE.values())
    keys |= set(CHASED.values())
    keys |= {f"complaint.severity.{s}" for s in SEVERITIES}
    keys |= {f"complaint.status.{state}" for state in COMPLAINT.states}
    keys |= {f"complaint.card.{c}_{w}" for c in ("reply", "resolve") for w in ("met", "due")}
    keys |= {f"complaint.owner.{clock}_soon" for clock in ("reply", "resolve")}
    conclusions = (RESOLVED, EXPLAINED, EXPLAINED_IN_PERSON)
    keys |= {key for c in conclusions for key in (c.told, c.confirmed)}
    keys |= {f"complaint.form.explained.{how}" for how in EXPLAINED_HOW}
    keys |= {f"complaint.visit.recorded_{said}" for said in ("satisfied", "unsatisfied")}
    keys |= {f"slip.status.{state}" for state in SLIP.states}
    keys |= {f"slip.day.item_{what}" for what in COUNTED.values()}
    keys |= {f"fee.type.{key}" for key in FEE_TYPES}
    keys |= {f"fee.{step}.title" for step in NOTICES}
    keys |= {f"fee.{step}.name" for step in FEE_CASE.states if step != "settled"}
    keys |= {f"fee.status.{state}" for state in FEE_CASE.states}
    keys |= {f"fee.{part}.{outcome}" for part in VISIT_PARTS for outcome in OUTCOMES}
    keys |= {f"fee.visit.{step}.what" for step in VISIT_STEPS}
    keys |= {f"fee.event.{how}" for how in ("payment_confirmed", "settled_by_list")}
    keys |= {f"complaint.supervisor.{clock}_breach" for clock in ("reply", "resolve", "explain")}
    keys |= {f"complaint.owner.{clock}_breach" for clock in ("reply", "resolve", "explain")}
    keys |= {f"complaint.resident.{clock}_late" for clock in ("reply", "resolve", "explain")}
    for report in (repair_report, complaint_report, slip_report, fee_report, desk_report):
        keys |= {f"report.figure.{key}" for key in report.FIGURES}
        keys.add(f"report.section.{report.KEY}")
    keys |= {f"report.breakdown.{b}" for b in ("by_category", "by_department", "by_severity")}
    keys |= {"report.breakdown.units_owing_by_building"}
    keys |= {"report.breakdown.by_topic", "report.breakdown.by_channel"}
    keys |= {f"behalf.channel.{c}" for c in (behalf.CHAT, *behalf.CHANNELS)}
    keys |= {f"behalf.channel_option.{c}" for c in behalf.CHANNELS}
    keys |= {f"behalf.{w}.{k}" for w in ("kind", "start", "summary") for k in RECORDED_KINDS}
    keys |= {f"desk.card.title.{kind}" for kind in DESK_KINDS}
    followed = [kind for kind in DESK_KINDS if kind not in ANSWERED_AT_ONCE]
    keys |= {f"desk.resident.{w}.{k}" for w in ("received", "done") for k in followed}
    keys |= {f"desk.status.{state}" for state in DESK.states}
    keys |= {f"report.severity.{s}" for s in (*SEVERITIES, "untriaged")}
    keys |= {
        f"report.{family}.{kind}" for family in ("change", "same", "chart.trend") for kind in KINDS
    }
    keys |= {f"report.title.{kind}{so_far}" for kind in KINDS for so_far in ("", "_so_far")}
    features = build_features(load_estate_config_text(example_config_text()))
    keys |= {f"command.{name}" for name in features.telegram_commands}
    keys |= {f"command.{c.name}" for c in features.commands}
    keys |= {f"menu.{name}" for name in features.menu.entries}
    for flow in features.flows.values():
        for step in flow.steps:
            if isinstance(step, Confirm):
                keys |= {f"{flow.name}.field.{name}" for name in step.editable}
    return keys


def _catalog(language: str) -> dict[str, tuple[str, ...]]:
    with po_path(language).open("rb") as po:
        catalog = read_po(po)
    entries: dict[str, tuple[str, ...]] = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        value = message.string
        entries[key] = (value,) if isinstance(value, str) else tuple(value)
    return entries


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_the_source_uses_keys_at_all():
    assert "registration.ask_phone" in _literal_keys()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_the_code_uses_is_translated(language: str):
    catalog = _catalog(language)
    missing = sorted((_literal_keys() | _dynamic_keys()) - set(catalog))
    assert not missing, f"{language} catalog lacks: {missing}"
    empty = sorted(key for key, forms in catalog.items() if not all(f.strip() for f in forms))
    assert not empty, f"{language} catalog has empty translations: {empty}"


def test_both_catalogs_have_the_same_keys_and_placeholders():
    english, chinese = _catalog("en"), _catalog("zh_Hans")
    assert set(english) == set(chinese)
    for key in english:
        expected = set().union(*(_placeholders(f) for f in english[key]))
        for form in chinese[key]:
            assert _placeholders(form) == expected, key


def test_no_catalog_entry_is_unused():
    unused = set(_catalog("en")) - _literal_keys() - _dynamic_keys()
    assert not unused, f"entries nothing uses: {sorted(unused)}"
