"""The aiogram 3 engine: the same desk as `bot.ptb`, on aiogram's `Bot` and `Dispatcher`."""
