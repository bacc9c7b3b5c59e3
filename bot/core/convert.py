"""A library's `Update` -> `Incoming`, for python-telegram-bot and aiogram alike.

Both libraries model the Bot API one to one (`update.message.from_user`, `.chat`, `.contact`,
`.photo`, `callback_query.data`, `my_chat_member.new_chat_member.status`), so one reading of those
attributes serves both engines; nothing here imports either library.
"""

from __future__ import annotations

from typing import Any

from bot.core.incoming import Incoming


def to_incoming(update: Any) -> Incoming:
    message = update.message or update.edited_message
    query = update.callback_query
    membership = update.my_chat_member
    event = message or query or membership
    user = getattr(event, "from_user", None)
    chat = getattr(event, "chat", None)
    if chat is None and query is not None and query.message is not None:
        chat = query.message.chat
    base = {
        "update_id": update.update_id,
        "user_id": user.id if user else None,
        "first_name": user.first_name if user else "",
        "last_name": user.last_name if user else None,
        "username": user.username if user else None,
        "language_code": user.language_code if user else None,
        "is_bot": bool(user and user.is_bot),
        "chat_id": chat.id if chat else None,
        "chat_type": str(chat.type) if chat else None,
    }
    if membership is not None and membership.chat.type == "private":
        status = membership.new_chat_member.status
        return Incoming(**base, blocked_bot=status in ("kicked", "left"))
    if query is not None:
        return Incoming(**base, callback_id=query.id, callback_data=query.data)
    if message is None:
        # Channel posts, other members' changes: recorded, nothing to do for them.
        return Incoming(update_id=update.update_id)
    contact = message.contact
    photo = message.photo[-1].file_id if message.photo else None
    document = message.document
    return Incoming(
        **base,
        edited=update.edited_message is not None,
        text=message.text,
        contact_phone=contact.phone_number if contact else None,
        contact_user_id=contact.user_id if contact else None,
        photo_file_id=photo,
        media_group_id=message.media_group_id,
        document_file_id=document.file_id if document else None,
        document_name=(document.file_name or "") if document else "",
        document_size=document.file_size if document else None,
        caption=message.caption,
        other_content=message.text is None
        and contact is None
        and photo is None
        and document is None,
    )
