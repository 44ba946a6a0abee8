"""The test mailbox: the e-mails the service wrote with Django's file-based backend."""

import email
import email.policy
import re
import time
from dataclasses import dataclass
from pathlib import Path

# The file backend separates the messages of one connection with a line of 79 dashes.
SEPARATOR = re.compile(rb"^-{79}$", re.MULTILINE)
LINK = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str

    def links(self) -> list[str]:
        return LINK.findall(self.body)


class Mailbox:
    def __init__(self, folder: Path):
        self.folder = folder

    def all(self) -> list[Mail]:
        if not self.folder.exists():
            return []
        mails = []
        for path in sorted(self.folder.glob("*.log"), key=lambda p: p.stat().st_mtime_ns):
            for chunk in SEPARATOR.split(path.read_bytes()):
                if not chunk.strip():
                    continue
                message = email.message_from_bytes(chunk.lstrip(), policy=email.policy.default)
                body = message.get_body(preferencelist=("plain",)).get_content()
                mails.append(Mail(to=str(message["To"]), subject=str(message["Subject"]), body=body))
        return mails

    def to(self, address: str) -> list[Mail]:
        return [mail for mail in self.all() if mail.to == address]

    def wait_for(
        self, address: str, *, subject_contains: str = "", count: int = 1, timeout: float = 10
    ) -> Mail:
        """The latest e-mail to `address` whose subject contains the text, once `count` such e-mails exist."""
        deadline = time.monotonic() + timeout
        while True:
            matching = [mail for mail in self.to(address) if subject_contains in mail.subject]
            if len(matching) >= count:
                return matching[-1]
            if time.monotonic() > deadline:
                subjects = [mail.subject for mail in self.to(address)]
                raise AssertionError(
                    f"No e-mail to {address} with {subject_contains!r} in its subject; received: {subjects}"
                )
            time.sleep(0.1)

    def wait_for_new(self, address: str, *, seen: int, timeout: float = 10) -> Mail:
        """The next e-mail to `address` after the `seen` ones already there."""
        return self.wait_for(address, count=seen + 1, timeout=timeout)
