"""Runs declared flows: prompts a step, judges the answer, moves on, and saves at every step.

The conversation row is written in the same transaction as the prompt it causes, so a process
killed mid-form resumes at the same step with every earlier answer intact.

Buttons carry the conversation's revision (``1|form|<revision>|<value>``). The revision is a
per-chat counter kept in the database across forms (see `ConversationRepository`): it grows when
a form starts, at every step and when the form ends, and never goes back, so it names one question
of one form instance. A tap whose revision is not the open form's current one (an older question,
or any question of a finished form, before or after a restart) is answered "already answered"
and changes nothing. Buttons from before revisions were kept (``1|flow|...``) name no form
instance: they are answered the same way, and the open form's question is asked again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from bot.core.callbacks import MAX_NUMBER, pack
from conversations.steps import (
    Accepted,
    AskChoice,
    Confirm,
    Flow,
    Input,
    Pending,
    Refused,
    Step,
)
from handlers.actor import Actor, FlowStart, TapAnswer
from handlers.forms import Outcome
from handlers.messages import REMOVE_KEYBOARD, MessageBody, TextBody, button, message, text
from storage.models import Conversation
from storage.uow import UnitOfWork

FORM_ACTION = "form"
LEGACY_FLOW_ACTION = "flow"
_RETURN_TO = "_return_to"
_PROMPT = "_prompt"


class FlowRunner:
    """Interprets `Flow` declarations over conversation rows."""

    def __init__(self, flows: Iterable[Flow], today: Callable[[UnitOfWork], date]) -> None:
        self.flows = {flow.name: flow for flow in flows}
        self._today = today
        for flow in self.flows.values():
            _check_button_sizes(flow)

    def flow_of(self, conversation: Conversation) -> Flow | None:
        flow = self.flows.get(conversation.flow)
        if flow is None or not flow.has_step(conversation.step):
            return None
        return flow

    async def start(self, uow: UnitOfWork, actor: Actor, flow: Flow, **answers: Any) -> None:
        first = flow.first(answers)
        assert first is not None
        conversation = await uow.conversations.start(
            actor.chat_id, actor.user_id, flow.name, first.name, answers
        )
        await self.prompt(uow, actor, flow, conversation)

    async def prompt(self, uow: UnitOfWork, actor: Actor, flow: Flow, conv: Conversation) -> None:
        """Ask the current step's question (again)."""
        step = flow.step(conv.step)
        lines: list[TextBody] = []
        if isinstance(step, Confirm) and flow.summary is not None:
            lines.extend(flow.summary(conv.answers))
        lines.append(_filled(step.prompt, conv.answers))
        body = message(*lines, **self._markup(uow, step, conv))
        answers = dict(conv.answers)
        answers[_PROMPT] = await uow.outbox.send(actor.chat_id, body)
        conv.answers = answers

    def _markup(self, uow: UnitOfWork, step: Step, conv: Conversation) -> dict[str, Any]:
        options = step.options(conv.answers, self._today(uow))
        if options:
            return {
                "buttons": _rows(
                    [button(o.label, FORM_ACTION, conv.revision, o.value) for o in options]
                )
            }
        return {"reply_keyboard": step.keyboard() or REMOVE_KEYBOARD}

    async def tap(
        self, uow: UnitOfWork, actor: Actor, revision: int, value: str
    ) -> TapAnswer | None:
        """A form button: applied only if it belongs to the open form's current question."""
        conversation = await uow.conversations.get(actor.chat_id, actor.user_id)
        if conversation is None or conversation.revision != revision:
            return TapAnswer(text("flow.error.stale_button"), alert=True)
        return await self.receive(uow, actor, conversation, Input("button", button=value))

    async def legacy_tap(self, uow: UnitOfWork, actor: Actor) -> TapAnswer:
        """A form button made before revisions were kept across forms: it cannot say which form
        it belongs to, so it is stale; the open form's question comes again with buttons that
        can."""
        conversation = await uow.conversations.get(actor.chat_id, actor.user_id)
        if conversation is not None and (flow := self.flow_of(conversation)):
            await self.prompt(uow, actor, flow, conversation)
        return TapAnswer(text("flow.error.stale_button"), alert=True)

    async def edited(self, uow: UnitOfWork, actor: Actor, conv: Conversation) -> None:
        """The person edited a message while this form is open. An edit is never taken as an
        answer: the answer it changes may already have moved the form on (a hook ran, a branch
        was taken), so the form says edits are not read, where answers can be changed, and asks
        its current question again."""
        flow = self.flow_of(conv)
        if flow is None:
            return
        summary = any(isinstance(step, Confirm) and step.editable for step in flow.steps)
        said = text("flow.edit_ignored") if summary else text("flow.edit_ignored_no_summary")
        await uow.outbox.send(actor.chat_id, message(said))
        await self.prompt(uow, actor, flow, conv)

    async def receive(
        self, uow: UnitOfWork, actor: Actor, conv: Conversation, given: Input
    ) -> TapAnswer | None:
        """Apply one input to the conversation's current step."""
        flow = self.flow_of(conv)
        if flow is None:
            await uow.conversations.end(conv)
            await uow.outbox.send(actor.chat_id, message(text("flow.error.expired")))
            return None
        step = flow.step(conv.step)
        answers = dict(conv.answers)
        verdict = step.judge(given, answers, actor.user_id, self._today(uow))
        if isinstance(verdict, Refused):
            if given.kind == "button":
                return TapAnswer(verdict.reason, alert=True)
            await uow.outbox.send(
                actor.chat_id, message(verdict.reason, **self._markup(uow, step, conv))
            )
            return None
        if given.kind == "button":
            await self._close_prompt(uow, conv, step, given.button or "")
        if isinstance(verdict, Pending):
            answers[step.name] = verdict.value
            if given.media_group_id:
                answers[f"_{step.name}_album"] = given.media_group_id
            # Same step, same revision: the Done button already shown stays valid while more
            # photos of an album arrive.
            conv.answers = answers
            if verdict.note is not None:
                body = message(verdict.note, **self._markup(uow, step, conv))
                conv.answers = {**answers, _PROMPT: await uow.outbox.send(actor.chat_id, body)}
            return None
        assert isinstance(verdict, Accepted)
        if isinstance(step, Confirm):
            return await self._confirm(uow, actor, flow, conv, step, answers, str(verdict.value))
        answers[step.name] = verdict.value
        if step.then is not None and await step.then(uow, actor, answers) is Outcome.FINISH:
            uow.events.record(
                "flow.finished",
                "conversation",
                conv.id,
                actor=actor.user_id,
                flow=flow.name,
                at_step=step.name,
            )
            await uow.conversations.end(conv)
            return None
        target = answers.pop(_RETURN_TO, None)
        following = flow.step(target) if target else flow.after(step.name, answers)
        if following is None:
            await self._submit(uow, actor, flow, conv, answers)
            return None
        uow.conversations.move(conv, following.name, answers)
        await self.prompt(uow, actor, flow, conv)
        return None

    async def _confirm(
        self,
        uow: UnitOfWork,
        actor: Actor,
        flow: Flow,
        conv: Conversation,
        step: Confirm,
        answers: dict[str, Any],
        choice: str,
    ) -> TapAnswer | None:
        if choice == "submit":
            await self._submit(uow, actor, flow, conv, answers)
        elif choice == "cancel":
            await self.cancel(uow, actor, conv)
        elif choice == "edit":
            uow.conversations.move(conv, step.name, answers)
            body = message(
                text("flow.confirm.which"),
                buttons=_rows(
                    [
                        button(
                            text(f"{flow.name}.field.{name}"),
                            FORM_ACTION,
                            conv.revision,
                            f"edit:{name}",
                        )
                        for name in step.editable
                        if _applies(flow, name, answers)
                    ]
                ),
            )
            answers[_PROMPT] = await uow.outbox.send(actor.chat_id, body)
            conv.answers = answers
        else:
            field = choice.removeprefix("edit:")
            if field not in step.editable:
                return TapAnswer(text("flow.error.stale_button"), alert=True)
            answers[_RETURN_TO] = step.name
            uow.conversations.move(conv, field, answers)
            await self.prompt(uow, actor, flow, conv)
        return None

    async def _submit(
        self, uow: UnitOfWork, actor: Actor, flow: Flow, conv: Conversation, answers: dict[str, Any]
    ) -> None:
        outcome = await flow.submit(uow, actor, answers)
        uow.events.record(
            "flow.submitted", "conversation", conv.id, actor=actor.user_id, flow=flow.name
        )
        await uow.conversations.end(conv)
        if isinstance(outcome, FlowStart) and (following := self.flows.get(outcome.flow)):
            await self.start(uow, actor, following, **outcome.answers)

    async def cancel(self, uow: UnitOfWork, actor: Actor, conv: Conversation) -> None:
        flow = self.flows.get(conv.flow)
        said = flow.cancelled if flow is not None else text("flow.cancelled")
        uow.events.record(
            "flow.cancelled",
            "conversation",
            conv.id,
            actor=actor.user_id,
            flow=conv.flow,
            at_step=conv.step,
        )
        await uow.conversations.end(conv)
        await uow.outbox.send(actor.chat_id, message(said, reply_keyboard=REMOVE_KEYBOARD))

    async def _close_prompt(
        self, uow: UnitOfWork, conv: Conversation, step: Step, chosen: str
    ) -> None:
        """Take the buttons off an answered prompt: it reads as answered and cannot be re-tapped."""
        prompt_id = conv.answers.get(_PROMPT)
        if not isinstance(prompt_id, int):
            return
        original = await uow.outbox.get(prompt_id)
        if original is None:
            return
        label = next(
            (o.label for o in step.options(conv.answers, self._today(uow)) if o.value == chosen),
            None,
        )
        body: MessageBody = {"lines": list(original.body.get("lines", []))}
        if label is not None:
            body["lines"].append(text("flow.chosen", choice=label))
        await uow.outbox.edit(prompt_id, body)


def _filled(prompt: TextBody, answers: dict[str, Any]) -> TextBody:
    """A prompt may name earlier answers (the job's number); its own parameters win."""
    known = {k.lstrip("_"): v for k, v in answers.items() if isinstance(v, str | int)}
    return {"key": prompt["key"], "params": {**known, **prompt["params"]}}


def _check_button_sizes(flow: Flow) -> None:
    """The buttons a flow declares fit Telegram's 64 bytes at any revision, or it fails at start
    (options computed from answers are checked when they are sent)."""
    values = [f"edit:{name}" for s in flow.steps if isinstance(s, Confirm) for name in s.editable]
    for step in flow.steps:
        if isinstance(step, AskChoice) and not callable(step.choices):
            values.extend(option.value for option in step.choices)
    for value in values:
        try:
            pack(FORM_ACTION, [MAX_NUMBER, value])
        except ValueError as exc:
            raise ValueError(f"flow {flow.name}: button {value!r} does not fit: {exc}") from exc


def _rows(buttons: list[Any], per_row: int = 2) -> list[list[Any]]:
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def _applies(flow: Flow, name: str, answers: dict[str, Any]) -> bool:
    """Whether the step `name` was asked for these answers: Edit offers only those (a reason
    typed for another choice is not there to edit)."""
    return any(step.name == name and step.applies(answers) for step in flow.steps)
