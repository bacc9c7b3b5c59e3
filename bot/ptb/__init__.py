"""The python-telegram-bot engine: a real `Application` around the framework-neutral core."""
