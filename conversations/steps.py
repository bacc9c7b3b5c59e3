"""The vocabulary resident flows are written in: ask a choice, a text, a contact, photos, a date,
then confirm.

A step knows its prompt, which answers it accepts and the polite reason it refuses the others. It
knows nothing of Telegram: the engine turns its prompt into a message and a user's message or tap
into an `Input`. Flows are checked when they are declared (unique names, hooks that exist, confirm
fields that are steps), so a broken flow fails at import, not in front of a resident.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from handlers.forms import Answers, Hook, Submit
from handlers.messages import TextBody, day, text
from handlers.rules.phones import normalize_phone
from handlers.rules.text import visible, visible_length

InputKind = Literal["text", "contact", "photo", "document", "button", "other"]


@dataclass(frozen=True)
class Input:
    """What a user sent, reduced to what a step can judge."""

    kind: InputKind
    text: str | None = None
    contact_phone: str | None = None
    contact_user_id: int | None = None
    photo_file_id: str | None = None
    document_file_id: str | None = None
    media_group_id: str | None = None
    button: str | None = None


@dataclass(frozen=True)
class Accepted:
    value: Any


@dataclass(frozen=True)
class Refused:
    reason: TextBody


@dataclass(frozen=True)
class Pending:
    """The step took the input but wants more (another photo); `note` is said only if set."""

    value: Any
    note: TextBody | None = None


Verdict = Accepted | Refused | Pending


@dataclass(frozen=True)
class Option:
    value: str
    label: TextBody


@dataclass(frozen=True, kw_only=True)
class Step:
    """One question. `when` skips it for answers it does not apply to; `then` runs once it is
    answered, in the same transaction (it may finish the flow early)."""

    name: str
    prompt: TextBody
    when: Callable[[Answers], bool] | None = None
    then: Hook | None = None

    def applies(self, answers: Answers) -> bool:
        return self.when is None or self.when(answers)

    def options(self, answers: Answers, today: date) -> list[Option]:
        """Inline choices shown under the prompt; none by default."""
        return []

    def keyboard(self) -> dict[str, Any] | None:
        """A reply keyboard shown with the prompt (a contact button); none by default."""
        return None

    def judge(self, given: Input, answers: Answers, actor_id: int, today: date) -> Verdict:
        raise NotImplementedError

    def shown(self, value: Any) -> TextBody:
        """How an answer is shown back in the summary."""
        return {"key": "", "params": {"value": str(value)}}


def _not_text(given: Input) -> Refused | None:
    if given.kind == "button":
        return Refused(text("flow.error.stale_button"))
    if given.kind != "text" or given.text is None:
        return Refused(text("flow.error.text_expected"))
    return None


def _typed(raw: str) -> str:
    """A number, a day or a phone number as typed: what is seen, with the full-width digits and
    signs of Chinese input methods read as the ASCII ones (NFKC)."""
    return unicodedata.normalize("NFKC", visible(raw))


def _no_visible_text(raw: str) -> Refused:
    """Blank, or only characters nobody sees (a zero-width space): said as it is."""
    if raw.strip():
        return Refused(text("flow.error.text_invisible"))
    return Refused(text("flow.error.text_empty"))


@dataclass(frozen=True, kw_only=True)
class AskText(Step):
    """Free text as a person sees it (`handlers.rules.text`): at least `min_length` visible
    characters (and always one), at most `max_length` characters kept; a text allowed over 200
    characters keeps its line breaks, a shorter one is one line. `optional` adds Skip."""

    min_length: int = 1
    max_length: int = 500
    optional: bool = False

    @property
    def multiline(self) -> bool:
        return self.max_length > 200

    def options(self, answers: Answers, today: date) -> list[Option]:
        return [Option("skip", text("flow.skip"))] if self.optional else []

    def judge(self, given: Input, answers: Answers, actor_id: int, today: date) -> Verdict:
        if self.optional and given.kind == "button" and given.button == "skip":
            return Accepted("")
        if (refused := _not_text(given)) is not None:
            return refused
        raw = given.text or ""
        value = visible(raw, multiline=self.multiline)
        seen = visible_length(value)
        if seen == 0:
            return _no_visible_text(raw)
        if seen < self.min_length:
            return Refused(text("flow.error.text_too_short", minimum=self.min_length))
        if len(value) > self.max_length:
            return Refused(
                text("flow.error.text_too_long", maximum=self.max_length, length=len(value))
            )
        return Accepted(value)


@dataclass(frozen=True, kw_only=True)
class AskAmount(Step):
    """A sum of money, 0 or more (a fee): '120', '120.5', '¥120', '1,200', '１２０元' read as
    decimals with two places. Only digits and one point: no exponents, NaN or infinity."""

    maximum: Decimal = Decimal("100000")

    def judge(self, given: Input, answers: Answers, actor_id: int, today: date) -> Verdict:
        if (refused := _not_text(given)) is not None:
            return refused
        raw = _typed(given.text or "")
        if not raw:
            return _no_visible_text(given.text or "")
        bare = re.sub(r"[\s,]", "", raw).lstrip("¥$").removesuffix("元")
        if not _AMOUNT.fullmatch(bare):
            return Refused(text("flow.error.amount_expected"))
        amount = Decimal(bare)
        if amount < 0 or amount > self.maximum:
            return Refused(text("flow.error.amount_range", maximum=str(self.maximum)))
        return Accepted(str(abs(amount).quantize(Decimal("0.01"))))


_AMOUNT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)


@dataclass(frozen=True, kw_only=True)
class AskChoice(Step):
    """One of a fixed list of options, as buttons; typing an option's value also works."""

    choices: Sequence[Option] | Callable[[Answers], Sequence[Option]] = ()

    def options(self, answers: Answers, today: date) -> list[Option]:
        return list(self.choices(answers) if callable(self.choices) else self.choices)

    def judge(self, given: Input, answers: Answers, actor_id: int, today: date) -> Verdict:
        values = {o.value for o in self.options(answers, today)}
        if given.kind == "button" and given.button in values:
            return Accepted(given.button)
        return Refused(text("flow.error.choose_button"))

    def shown(self, value: Any) -> TextBody:
        options = [] if callable(self.choices) else self.choices
        label = next((o.label for o in options if o.value == value), None)
        return label if label is not None else super().shown(value)


@dataclass(frozen=True, kw_only=True)
class AskContact(Step):
    """The user's own phone number, shared with the contact button (Telegram vouches for it)."""

    button_label: TextBody = field(default_factory=lambda: text("flow.contact.button"))

    def keyboard(self) -> dict[str, Any] | None:
        return {"contact": self.button_label}

    def judge(self, given: Input, answers: Answers, actor_id: int, today: date) -> Verdict:
        if given.kind != "contact" or not given.contact_phone:
            return Refused(text("flow.error.contact_expected"))
        if given.contact_user_id != actor_id:
            return Refused(text("flow.error.contact_not_own"))
        return Accepted(given.contact_phone)


@dataclass(frozen=True, kw_only=True)
class AskPhone(Step):
    """Someone else's phone number, typed (a person the resident authorises, say)."""

    def judge(self, given: Input, answers: Answers, actor_id: int, today: date) -> Verdict:
        if given.kind == "contact" and given.contact_phone:
            raw = _typed(given.contact_phone)
        elif (refused := _not_text(given)) is not None:
            return refused
        elif not (raw := _typed(given.text or "")):
            return _no_visible_text(given.text or "")
        phone = normalize_phone(raw[:40])
        if phone is None:
            return Refused(text("flow.error.phone_invalid"))
        return Accepted(phone)


@dataclass(frozen=True, kw_only=True)
class AskPhotos(Step):
    """Up to `max_count` photos, sent one by one or as an album; Done or Skip moves on."""

    max_count: int = 3

    def options(self, answers: Answers, today: date) -> list[Option]:
        if answers.get(self.name):
            return [Option("done", text("flow.photos.done"))]
        return [Option("skip", text("flow.photos.skip"))]

    def judge(self, given: Input, answers: Answers, actor_id: int, today: date) -> Verdict:
        photos: list[str] = list(answers.get(self.name) or [])
        if given.kind == "button" and given.button in {"done", "skip"}:
            return Accepted(photos)
        if given.kind != "photo" or not given.photo_file_id:
            return Refused(text("flow.error.photo_expected", maximum=self.max_count))
        if len(photos) >= self.max_count:
            return Accepted(photos)
        photos.append(given.photo_file_id)
        if len(photos) >= self.max_count:
            return Accepted(photos)
        same_album = given.media_group_id is not None and given.media_group_id == answers.get(
            f"_{self.name}_album"
        )
        note = None if same_album else text("flow.photos.more", maximum=self.max_count)
        return Pending(photos, note)

    def shown(self, value: Any) -> TextBody:
        return text("flow.photos.count", count=len(value or []))


@dataclass(frozen=True, kw_only=True)
class AskAttachment(Step):
    """One photo or one file sent as a document (a PDF, a scan), or Skip: the answer is
    `{"photo": file id}`, `{"document": file id}` or `{}`."""

    def options(self, answers: Answers, today: date) -> list[Option]:
        return [Option("skip", text("flow.photos.skip"))]

    def judge(self, given: Input, answers: Answers, actor_id: int, today: date) -> Verdict:
        if given.kind == "button" and given.button == "skip":
            return Accepted({})
        if given.kind == "photo" and given.photo_file_id:
            return Accepted({"photo": given.photo_file_id})
        if given.kind == "document" and given.document_file_id:
            return Accepted({"document": given.document_file_id})
        return Refused(text("flow.error.attachment_expected"))

    def shown(self, value: Any) -> TextBody:
        if (value or {}).get("photo"):
            return text("flow.attachment.photo")
        if (value or {}).get("document"):
            return text("flow.attachment.document")
        return text("flow.attachment.none")


@dataclass(frozen=True, kw_only=True)
class AskDate(Step):
    """A day within the next `horizon_days`, as buttons, or typed as YYYY-MM-DD."""

    horizon_days: int = 7

    def options(self, answers: Answers, today: date) -> list[Option]:
        days = [today + timedelta(days=n) for n in range(self.horizon_days)]
        return [
            Option(d.isoformat(), text("flow.date.option", date=day(d.isoformat()))) for d in days
        ]

    def judge(self, given: Input, answers: Answers, actor_id: int, today: date) -> Verdict:
        raw = given.button if given.kind == "button" else _typed(given.text or "")
        if given.kind == "text" and not raw:
            return _no_visible_text(given.text or "")
        if given.kind not in {"button", "text"} or not raw or len(raw) > 40:
            return Refused(text("flow.error.date_expected"))
        try:
            chosen = date.fromisoformat(raw)
        except ValueError:
            return Refused(text("flow.error.date_expected"))
        if not today <= chosen < today + timedelta(days=self.horizon_days):
            return Refused(text("flow.error.date_range", days=self.horizon_days))
        return Accepted(chosen.isoformat())


@dataclass(frozen=True, kw_only=True)
class Confirm(Step):
    """The summary with Submit / Edit / Cancel; Edit offers the `editable` steps again."""

    editable: tuple[str, ...] = ()

    def options(self, answers: Answers, today: date) -> list[Option]:
        edit = [Option("edit", text("flow.confirm.edit"))] if self.editable else []
        return [
            Option("submit", text("flow.confirm.submit")),
            *edit,
            Option("cancel", text("flow.confirm.cancel")),
        ]

    def judge(self, given: Input, answers: Answers, actor_id: int, today: date) -> Verdict:
        if given.kind == "button" and given.button in {"submit", "cancel"}:
            return Accepted(given.button)
        if given.kind == "button" and given.button == "edit" and self.editable:
            return Accepted(given.button)
        if given.kind == "button" and given.button and given.button.startswith("edit:"):
            return Accepted(given.button)
        return Refused(text("flow.error.choose_button"))


@dataclass(frozen=True)
class Flow:
    """A resident procedure: its steps in order, what happens on submit, and on cancel."""

    name: str
    steps: tuple[Step, ...]
    submit: Submit
    summary: Callable[[Answers], list[TextBody]] | None = None
    cancelled: TextBody = field(default_factory=lambda: text("flow.cancelled"))
    help: TextBody = field(default_factory=lambda: text("flow.help.generic"))
    _index: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [s.name for s in self.steps]
        if len(set(names)) != len(names):
            raise ValueError(f"flow {self.name}: step names repeat: {names}")
        if not self.steps:
            raise ValueError(f"flow {self.name}: no steps")
        for step in self.steps:
            if step.name.startswith("_"):
                raise ValueError(f"flow {self.name}: step name {step.name!r} starts with '_'")
            if isinstance(step, Confirm):
                unknown = set(step.editable) - set(names)
                if unknown:
                    raise ValueError(f"flow {self.name}: confirm edits unknown steps {unknown}")
        object.__setattr__(self, "_index", {name: i for i, name in enumerate(names)})

    def step(self, name: str) -> Step:
        return self.steps[self._index[name]]

    def has_step(self, name: str) -> bool:
        return name in self._index

    def first(self, answers: Answers) -> Step | None:
        return self._from(0, answers)

    def after(self, name: str, answers: Answers) -> Step | None:
        return self._from(self._index[name] + 1, answers)

    def _from(self, start: int, answers: Answers) -> Step | None:
        for step in self.steps[start:]:
            if step.applies(answers):
                return step
        return None
