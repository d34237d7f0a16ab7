"""A local SMTP server for tests (aiosmtpd on 127.0.0.1), so that mail
goes through Django's real SMTP backend; and a port where no server listens,
for "the mail server is down"."""

from __future__ import annotations

import socket
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller
from django.test import override_settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Collect:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@contextmanager
def smtp_sink(port: int):
    """An SMTP server on ``port`` collecting what it receives, while the block runs."""
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler.messages
    finally:
        controller.stop()


def smtp_settings(port: int):
    """Django's SMTP backend pointed at 127.0.0.1:port."""
    return override_settings(
        MAILERS={
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
            }
        }
    )
