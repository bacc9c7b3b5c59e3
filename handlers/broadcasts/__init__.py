"""Broadcasts: one message to many people (a notice to residents, later the fee reminders),
fed to the one outbox a batch at a time so Telegram's limits, the sender's order and a restart
all apply to it as to any other message."""
