"""estate-bot's sandbox: a fake Telegram Bot API server for end-to-end tests and demos.

It speaks the real HTTP protocol, so the bot runs unchanged against it (in-process or as a
separate process), and it answers like Telegram, errors included. Tests drive simulated users::

    async with SandboxServer() as sandbox:
        alice = sandbox.add_user("Alice", phone="+8613800000001")
        # start the bot with base URL f"{sandbox.base_url}/bot"
        await alice.send("/start")
        welcome = await alice.wait_for_message(containing="Welcome")
        answer = await alice.click("Report a repair")
"""

from .actors import SandboxGroup, SandboxUser
from .errors import ApiError, SandboxError, SandboxTimeoutError
from .server import SandboxServer
from .transcript import TranscriptEntry
from .views import ApiCall, CallbackAnswer, SandboxMessage
from .webhook import WebhookAttempt

__all__ = [
    "ApiCall",
    "ApiError",
    "CallbackAnswer",
    "SandboxError",
    "SandboxGroup",
    "SandboxMessage",
    "SandboxServer",
    "SandboxTimeoutError",
    "SandboxUser",
    "TranscriptEntry",
    "WebhookAttempt",
]
