"""PTB `Update` -> `Incoming`: the only place that reads python-telegram-bot's update types."""

from __future__ import annotations

from telegram import Update

from bot.core.incoming import Incoming


def to_incoming(update: Update) -> Incoming:
    user = update.effective_user
    chat = update.effective_chat
    base = {
        "update_id": update.update_id,
        "user_id": user.id if user else None,
        "first_name": user.first_name if user else "",
        "last_name": user.last_name if user else None,
        "username": user.username if user else None,
        "language_code": user.language_code if user else None,
        "is_bot": bool(user and user.is_bot),
        "chat_id": chat.id if chat else None,
        "chat_type": chat.type if chat else None,
    }
    membership = update.my_chat_member
    if membership is not None and membership.chat.type == "private":
        status = membership.new_chat_member.status
        return Incoming(**base, blocked_bot=status in ("kicked", "left"))
    if update.callback_query is not None:
        query = update.callback_query
        return Incoming(**base, callback_id=query.id, callback_data=query.data)
    message = update.message or update.edited_message
    if message is None:
        # Channel posts, other members' changes: recorded, nothing to do for them.
        return Incoming(update_id=update.update_id)
    contact = message.contact
    photo = message.photo[-1].file_id if message.photo else None
    return Incoming(
        **base,
        edited=update.edited_message is not None,
        text=message.text,
        contact_phone=contact.phone_number if contact else None,
        contact_user_id=contact.user_id if contact else None,
        photo_file_id=photo,
        media_group_id=message.media_group_id,
        other_content=message.text is None and contact is None and photo is None,
    )
