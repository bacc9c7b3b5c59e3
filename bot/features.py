"""The registry: every feature declares itself, and the bot is assembled from what they declare.

`FEATURES` lists the feature packages; each one's `feature(context)` returns its flows, actions,
forms, timers, commands and hooks. They are merged here once at start-up, and the bot refuses to
start, naming the culprit, when two features claim the same name or a feature opens a form no
flow answers. The desk, the scheduler, Telegram's command list, the resident menu and /help only
look things up here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import conversations.behalf
import conversations.broadcasts
import conversations.complaints
import conversations.desk
import conversations.fees
import conversations.on_duty
import conversations.registration
import conversations.repairs
import conversations.reports
import conversations.slips
from conversations.feature import (
    Command,
    CommandRun,
    Feature,
    FeatureContext,
    Hook,
    PersonHook,
    StaffAction,
    StartLink,
    TimerHandler,
    UploadHandler,
    WelcomeHook,
)
from conversations.steps import Flow
from handlers.actions import Action
from handlers.actor import Actor, FlowStart, Invocation, Upload
from handlers.config import EstateConfig
from handlers.menu import MENU, ResidentMenu
from handlers.registration import FORM as REGISTRATION
from handlers.reports.figures import ReportSections
from handlers.rules.lifecycle import Lifecycle
from storage.uow import UnitOfWork

FeatureFactory = Callable[[FeatureContext], Feature]

FEATURES: tuple[FeatureFactory, ...] = (
    conversations.registration.feature,
    conversations.repairs.feature,
    conversations.complaints.feature,
    conversations.on_duty.feature,
    conversations.behalf.feature,
    conversations.desk.feature,
    conversations.slips.feature,
    conversations.fees.feature,
    conversations.reports.feature,
    conversations.broadcasts.feature,
)

CORE_COMMANDS = ("start", "help", "cancel", "lang")
"""Commands the desk answers itself, in every estate."""
CORE_GROUP_COMMANDS = ("help", "chatid")
CORE_ACTIONS = frozenset({"form", "flow", "lang", MENU.name})
"""Button actions the desk handles itself (flow answers, the language menu, the resident menu)."""


class RegistryError(ValueError):
    """Two features claim one name, or a feature refers to something nobody declared."""


@dataclass(frozen=True)
class ActionSpec:
    """A button's server-side handler and the types of the arguments its data carries."""

    handler: StaffAction
    args: tuple[type, ...]


@dataclass(frozen=True)
class Features:
    """Everything the features declared, merged and checked."""

    flows: MappingProxyType[str, Flow]
    actions: MappingProxyType[str, ActionSpec]
    timers: MappingProxyType[str, TimerHandler]
    private_commands: MappingProxyType[str, CommandRun]
    group_commands: MappingProxyType[str, CommandRun]
    commands: tuple[Command, ...]
    lifecycles: MappingProxyType[str, Lifecycle]
    menu: ResidentMenu
    start_links: MappingProxyType[str, StartLink]
    start_hooks: tuple[Hook, ...]
    blocked_hooks: tuple[PersonHook, ...]
    welcome_hooks: tuple[WelcomeHook, ...]
    sections: ReportSections
    """Every feature's figures, in the features' order (what a report is made of)."""
    upload_handlers: tuple[UploadHandler, ...] = ()

    @property
    def registration(self) -> Flow:
        return self.flows[REGISTRATION.name]

    def listed(self, audience: Literal["resident", "staff"], *, group: bool = False) -> list[str]:
        """The feature commands /help lists for `audience` (in a group: the group's commands)."""
        return _names(
            [
                c
                for c in _sections_last(self.commands)
                if c.audience == audience and (c.group if group else c.private)
            ]
        )

    def start_link(self, payload: str) -> tuple[StartLink, str] | None:
        """The feature answering a deep link's payload, and the payload after its prefix."""
        for prefix, handler in self.start_links.items():
            if payload.startswith(prefix) and len(payload) > len(prefix):
                return handler, payload[len(prefix) :]
        return None

    @property
    def telegram_commands(self) -> tuple[str, ...]:
        """What Telegram's command menu shows in private chats: the core and residents' ones."""
        return ("start", *self.listed("resident"), "help", "cancel", "lang")

    async def on_start(self, uow: UnitOfWork) -> None:
        for hook in self.start_hooks:
            await hook(uow)

    async def on_blocked(self, uow: UnitOfWork, user_id: int) -> None:
        for hook in self.blocked_hooks:
            await hook(uow, user_id)

    async def on_welcome(self, uow: UnitOfWork, actor: Actor) -> None:
        for hook in self.welcome_hooks:
            await hook(uow, actor)

    async def on_upload(self, uow: UnitOfWork, actor: Actor, upload: Upload) -> bool:
        """Offer a sent file to each feature in turn; True once one took it."""
        for handler in self.upload_handlers:
            if await handler(uow, actor, upload):
                return True
        return False


def build_features(
    config: EstateConfig, factories: Sequence[FeatureFactory] = FEATURES
) -> Features:
    """Ask every feature to declare itself for this estate, merge, and check the result."""
    menu = ResidentMenu()
    sections = ReportSections()
    declared = [factory(FeatureContext(config, menu, sections)) for factory in factories]
    flows: dict[str, Flow] = {}
    actions: dict[str, ActionSpec] = {}
    timers: dict[str, TimerHandler] = {}
    owners: dict[tuple[str, str], str] = {}

    def claim(kind: str, name: str, feature: Feature) -> None:
        earlier = owners.get((kind, name))
        if earlier is not None:
            raise RegistryError(f"{kind} {name!r} is declared by both {earlier} and {feature.name}")
        owners[(kind, name)] = feature.name

    for feature in declared:
        for flow in feature.flows:
            claim("flow", flow.name, feature)
            flows[flow.name] = flow
        for action, handler in feature.actions.items():
            if action.name in CORE_ACTIONS:
                raise RegistryError(f"{feature.name}: action {action.name!r} is the desk's own")
            claim("action", action.name, feature)
            actions[action.name] = ActionSpec(handler, action.args)
        for lifecycle in feature.lifecycles:
            claim("lifecycle", lifecycle.name, feature)
        for kind, timer_handler in feature.timers.items():
            claim("timer", kind, feature)
            timers[kind] = timer_handler
    links: dict[str, StartLink] = {}
    for feature in declared:
        for prefix, link in feature.start_links.items():
            claim("deep link", prefix, feature)
            links[prefix] = link
        for form in feature.forms:
            if form.name not in flows:
                raise RegistryError(f"{feature.name}: form {form.name!r} has no flow")
    unbound = sorted(set(Action.declared) - set(actions) - CORE_ACTIONS)
    if unbound:
        raise RegistryError(f"actions declared but bound by no feature: {unbound}")
    commands = [command for feature in declared for command in feature.commands]
    private = _merged(commands, private=True)
    group = _merged(commands, private=False)
    clash = sorted(set(private) & set(CORE_COMMANDS) | set(group) & set(CORE_GROUP_COMMANDS))
    if clash:
        raise RegistryError(f"commands that are the desk's own: {clash}")
    menu.fill(_names([c for c in _sections_last(commands) if c.menu]))
    sections.fill([provider for feature in declared for provider in feature.figures])
    return Features(
        flows=MappingProxyType(flows),
        actions=MappingProxyType(actions),
        timers=MappingProxyType(timers),
        private_commands=MappingProxyType(private),
        group_commands=MappingProxyType(group),
        commands=tuple(commands),
        lifecycles=MappingProxyType({lc.name: lc for f in declared for lc in f.lifecycles}),
        menu=menu,
        start_links=MappingProxyType(links),
        start_hooks=tuple(f.on_start for f in declared if f.on_start is not None),
        blocked_hooks=tuple(f.on_blocked for f in declared if f.on_blocked is not None),
        welcome_hooks=tuple(f.on_welcome for f in declared if f.on_welcome is not None),
        sections=sections,
        upload_handlers=tuple(f.on_upload for f in declared if f.on_upload is not None),
    )


def _sections_last(commands: Sequence[Command]) -> list[Command]:
    """A feature's own commands first, then the listings several features share."""
    return [c for c in commands if not c.section] + [c for c in commands if c.section]


def _names(commands: Sequence[Command]) -> list[str]:
    names: list[str] = []
    for command in commands:
        if command.name not in names:
            names.append(command.name)
    return names


def _merged(commands: Sequence[Command], *, private: bool) -> dict[str, CommandRun]:
    """Commands by name for private chats or for groups; sections of one name run in order."""
    by_name: dict[str, list[Command]] = {}
    for command in commands:
        if command.private if private else command.group:
            by_name.setdefault(command.name, []).append(command)
    merged: dict[str, CommandRun] = {}
    for name, parts in by_name.items():
        if len(parts) == 1:
            merged[name] = parts[0].run
        elif all(part.section for part in parts):
            merged[name] = _sections([part.run for part in parts])
        else:
            raise RegistryError(f"command /{name} is declared by more than one feature")
    return merged


def _sections(runs: list[CommandRun]) -> CommandRun:
    async def run(uow: UnitOfWork, actor: Actor, call: Invocation) -> FlowStart | None:
        for part in runs:
            await part(uow, actor, call)
        return None

    return run
