"""Steps that several browser tests share: reading a link from a mail, logging in through the form."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

LINK = re.compile(r"https?://\S+")


def link_from_mail(outbox: list, path_fragment: str, *, to: str, base_url: str) -> str:
    """The link in the newest mail to `to` whose path contains `path_fragment`, on the live server."""
    for message in reversed(outbox):
        if to not in message.to:
            continue
        for url in LINK.findall(message.body):
            if path_fragment in url:
                assert url.startswith(base_url + "/"), f"link does not point to this server: {url}"
                return url
    mails = "\n---\n".join(f"An: {m.to}\n{m.body}" for m in outbox) or "(keine Mails)"
    raise AssertionError(f"no mail to {to} with a link containing {path_fragment!r}:\n{mails}")


def log_in(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort", exact=True).fill(password)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Sie sind angemeldet.")).to_be_visible()


# --- mail through a real SMTP server (aiosmtpd on 127.0.0.1) ------------------------------------------------------

class SmtpInbox:
    """An aiosmtpd handler that keeps every message it accepts, parsed, oldest first."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        """The messages to `address`, oldest first."""
        return [m for rcpt, m in self.messages if address in rcpt]

    def subjects(self, address: str) -> list[str]:
        # A long encoded subject comes folded after "Subject:" (flask-mailman); unfolded it starts with a space.
        return [str(m["Subject"]).strip() for m in self.to(address)]

    def link(self, path_fragment: str, *, to: str, base_url: str) -> str:
        """The link in the newest message to `to` whose path contains `path_fragment`, on the live server."""
        for message in reversed(self.to(to)):
            body = message.get_body(preferencelist=("plain",)).get_content()
            for url in LINK.findall(body):
                if path_fragment in url:
                    assert url.startswith(base_url + "/"), f"link does not point to this server: {url}"
                    return url
        seen = "\n".join(f"{rcpt}: {m['Subject']}" for rcpt, m in self.messages) or "(keine Mails)"
        raise AssertionError(f"no mail to {to} with a link containing {path_fragment!r}; received:\n{seen}")
