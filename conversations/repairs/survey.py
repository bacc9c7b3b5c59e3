"""After rating a repair, the resident may add a comment (or skip)."""

from __future__ import annotations

from conversations.steps import AskText, Flow
from handlers.messages import text
from handlers.repairs import signoff
from handlers.repairs.common import COMMENT_FORM

SURVEY_COMMENT = Flow(
    name=COMMENT_FORM.name,
    steps=(
        AskText(
            name="comment",
            prompt=text("repair.survey.ask_comment"),
            max_length=1000,
            optional=True,
        ),
    ),
    submit=signoff.save_comment,
    cancelled=text("repair.survey.recorded"),
    help=text("repair.survey.help"),
)
