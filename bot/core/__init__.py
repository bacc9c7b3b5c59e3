"""The framework-neutral core: what happens for one update, whichever library received it.

Each engine (python-telegram-bot now, aiogram later) is a thin adapter: it turns its library's
update into an `Incoming`, calls `Desk.handle` once, and performs the immediate answer it gets.
"""
