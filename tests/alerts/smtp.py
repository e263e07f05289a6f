"""A real SMTP server for tests and the bench: aiosmtpd on 127.0.0.1, on a free port, in a thread
of its own. It keeps every message it accepts (parsed), refuses the recipients it is told to
refuse with a permanent 550, and lets a test wait for a number of messages with a deadline."""

import asyncio
import email
import email.policy
import threading
import time
from dataclasses import dataclass, field

from aiosmtpd.smtp import SMTP


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage
    arrived: float  # time.monotonic()
    raw: bytes

    def part(self, content_type: str) -> str:
        body = self.message.get_body(preferencelist=(content_type.split("/")[1],))
        assert body is not None and body.get_content_type() == content_type, content_type
        return body.get_content()


@dataclass
class SmtpServer:
    refused: set[str] = field(default_factory=set)  # recipients answered 550
    received: list[Received] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    # aiosmtpd's handler hooks
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content.replace(b"\r\n", b"\n")
        message = email.message_from_bytes(raw, policy=email.policy.default)
        with self.arrived:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message, time.monotonic(), raw))
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def start(self) -> "SmtpServer":
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run():
            asyncio.set_event_loop(self.loop)
            self.server = self.loop.run_until_complete(
                self.loop.create_server(lambda: SMTP(self, hostname="smtp.test"), "127.0.0.1", 0)
            )
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        if not ready.wait(10):
            raise RuntimeError("the SMTP server did not start")
        return self

    @property
    def port(self) -> int:
        return self.server.sockets[0].getsockname()[1]

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.received) >= count, timeout):
                raise AssertionError(f"{len(self.received)} e-mails arrived in {timeout} s, expected {count}")
            return list(self.received)

    def to(self, address: str) -> list[Received]:
        with self.arrived:
            return [r for r in self.received if address in r.rcpt_tos]

    def stop(self) -> None:
        def close():
            self.server.close()
            self.loop.stop()

        self.loop.call_soon_threadsafe(close)
        self.thread.join(10)
