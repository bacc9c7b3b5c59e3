"""What a feature declares about itself: its flows, actions, timers, commands and menu entries.

A feature (registration, repairs, complaints, and the ones after them) is one package with a
`feature(context)` function returning a `Feature`. The registry in `bot/features.py` merges them at
start-up and refuses to start, naming the culprit, on a duplicate or unknown name; the command
list Telegram shows, the resident menu and /help are built from what the features declare.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from conversations.steps import Flow
from handlers.actions import Action, Form
from handlers.actor import Actor, FlowStart, Invocation, TapAnswer, Upload
from handlers.config import EstateConfig
from handlers.menu import ResidentMenu
from handlers.reports.figures import ReportSections, SectionProvider
from handlers.rules.lifecycle import Lifecycle
from storage.models import Timer
from storage.uow import UnitOfWork

StaffAction = Callable[..., Awaitable[TapAnswer]]
TimerHandler = Callable[[UnitOfWork, Timer], Awaitable[None]]
CommandRun = Callable[[UnitOfWork, Actor, Invocation], Awaitable[FlowStart | None]]
"""A slash command: (unit of work, who sent it, how) -> maybe a form to open."""
StartLink = Callable[[UnitOfWork, Actor, str], Awaitable[None]]
"""A deep link `t.me/<bot>?start=<prefix><rest>`: (unit of work, who opened it, the rest)."""
Hook = Callable[[UnitOfWork], Awaitable[None]]
PersonHook = Callable[[UnitOfWork, int], Awaitable[None]]
WelcomeHook = Callable[[UnitOfWork, Actor], Awaitable[None]]
UploadHandler = Callable[[UnitOfWork, Actor, Upload], Awaitable[bool]]
"""A file sent to the bot: True if this feature took it (a finance officer's arrears list)."""


@dataclass(frozen=True)
class Command:
    """A slash command a feature adds; `menu` puts it in the resident menu as a button.

    `audience` decides whose /help lists it and whether Telegram's command menu shows it (the
    residents' commands are the ones shown there). A `section` is one feature's part of a listing
    several features share (/my shows a resident's repairs, then their complaints): sections of
    one name run in the features' order, and they come last in the menu.
    """

    name: str
    run: CommandRun
    audience: Literal["resident", "staff"] = "resident"
    private: bool = True
    group: bool = False
    menu: bool = False
    section: bool = False


@dataclass(frozen=True)
class FeatureContext:
    """What a feature is built from: the estate's config, the menu it may greet people with, and
    the report sections every feature's figures are gathered into (filled after all declared)."""

    config: EstateConfig
    menu: ResidentMenu
    sections: ReportSections = field(default_factory=ReportSections)


@dataclass(frozen=True)
class Feature:
    name: str
    lifecycles: Sequence[Lifecycle] = ()
    """The lifecycle tables of its tickets (for `estate-bot lifecycle` and the README)."""
    flows: Sequence[Flow] = ()
    actions: Mapping[Action, StaffAction] = field(default_factory=dict)
    forms: Sequence[Form] = ()
    """The private forms its actions open; each must have a flow of the same name."""
    timers: Mapping[str, TimerHandler] = field(default_factory=dict)
    commands: Sequence[Command] = ()
    start_links: Mapping[str, StartLink] = field(default_factory=dict)
    """Deep-link payload prefixes this feature answers (`slip_` opens a slip at the gate)."""
    on_start: Hook | None = None
    """Runs at every start-up (timers every estate always has pending)."""
    on_blocked: PersonHook | None = None
    """A person blocked the bot: tell whoever must now reach them another way."""
    on_welcome: WelcomeHook | None = None
    """A known person opened (or reopened) the private chat with /start."""
    on_upload: UploadHandler | None = None
    """A document sent to the bot outside a form; each feature may take it or leave it."""
    figures: Sequence[SectionProvider] = ()
    """Its sections of the weekly and monthly reports (see handlers/reports/figures.py)."""
