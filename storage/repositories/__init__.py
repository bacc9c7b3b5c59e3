"""Repositories: one small class per aggregate, over one session, that never commit.

The unit of work owns the transaction and commits once, together with the outbox rows the change
caused; a repository only reads and stages changes.
"""

from storage.repositories.arrears import ArrearsRepository
from storage.repositories.broadcasts import BroadcastRepository
from storage.repositories.conversations import ConversationRepository
from storage.repositories.events import EventLog
from storage.repositories.inbox import Inbox
from storage.repositories.outbox import Outbox
from storage.repositories.people import PeopleRepository
from storage.repositories.registrations import RegistrationRepository
from storage.repositories.tickets import TicketRepository
from storage.repositories.timers import Timers

__all__ = [
    "ArrearsRepository",
    "BroadcastRepository",
    "ConversationRepository",
    "EventLog",
    "Inbox",
    "Outbox",
    "PeopleRepository",
    "RegistrationRepository",
    "TicketRepository",
    "Timers",
]
