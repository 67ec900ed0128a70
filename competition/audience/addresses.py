"""Voters' e-mail addresses: one person, one address, however it is written.

``normalise`` maps every way of writing the same mailbox to one string, so that a person cannot vote twice by
writing their address differently:

- surrounding blanks removed, Unicode NFKC, lower case (local part and domain);
- the domain in its IDNA 2008 / UTS 46 punycode form (as browsers and mail servers) without a trailing dot:
  ``müller.de`` and ``xn--mller-kva.de`` are one;
- domain aliases of one provider mapped to one name (``googlemail.com`` → ``gmail.com``, see ``DOMAIN_ALIASES``);
- plus-addressing removed for every domain (``max+preis@…`` is ``max@…``): the tag is a free, unlimited alias at
  almost every provider and we cannot know which ones ignore it, so it never makes a second vote;
- dots removed from the local part only where the provider ignores them (``DOT_INSENSITIVE_DOMAINS``: Gmail).
  Elsewhere ``max.mustermann`` and ``maxmustermann`` may be two different people, so they stay two addresses.

``address_hash`` is the salted SHA-256 of the normalised address. It is what the ballot is keyed by: after the
result is final the address itself is deleted, and the hash (with the vote's own salt) is all that remains to
refuse a second vote. Pure functions: no Flask, no database.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import idna

# One provider, several domain names: the first maps to the second.
DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}
# Providers that ignore dots in the local part (after DOMAIN_ALIASES): j.doe@gmail.com is jdoe@gmail.com.
DOT_INSENSITIVE_DOMAINS = frozenset({"gmail.com"})
# Free-mail providers: many unrelated people share them, so a burst on one of these is not one employer's burst.
FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "web.de", "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "t-online.de", "freenet.de", "outlook.com",
    "outlook.de", "hotmail.com", "hotmail.de", "live.com", "live.de", "yahoo.com", "yahoo.de", "icloud.com",
    "me.com", "mail.de", "posteo.de", "mailbox.org", "aol.com", "arcor.de", "vodafone.de", "online.de", "email.de",
    "proton.me", "protonmail.com",
})

_LOCAL_OK = re.compile(r"^[^\s@\"(),:;<>\[\\\]]{1,64}$")
_LABEL_OK = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class AddressInvalid(ValueError):
    """Not an e-mail address we can send a confirmation to."""


def _domain(raw: str) -> str:
    domain = unicodedata.normalize("NFKC", raw).strip().rstrip(".").lower()
    if not domain or "." not in domain:
        raise AddressInvalid(raw)
    try:
        ascii_domain = idna.encode(domain, uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError) as exc:
        raise AddressInvalid(raw) from exc
    labels = ascii_domain.split(".")
    if len(ascii_domain) > 253 or not all(_LABEL_OK.match(label) for label in labels) or labels[-1].isdigit():
        raise AddressInvalid(raw)
    return DOMAIN_ALIASES.get(ascii_domain, ascii_domain)


def split(address: str) -> tuple[str, str]:
    """(local part, domain) of an address as typed, both normalised; AddressInvalid if it is not one."""
    text = unicodedata.normalize("NFKC", address or "").strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise AddressInvalid(address)
    domain = _domain(domain)
    local = local.lower()
    local = local.split("+", 1)[0]
    if domain in DOT_INSENSITIVE_DOMAINS:
        local = local.replace(".", "")
    if not local or not _LOCAL_OK.match(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        raise AddressInvalid(address)
    return local, domain


def normalise(address: str) -> str:
    """The one spelling of the mailbox ``address`` names (see the module's docstring); AddressInvalid if none."""
    local, domain = split(address)
    return f"{local}@{domain}"


def address_hash(normalised: str, *, salt: str) -> str:
    """The salted SHA-256 (hex) of a normalised address: kept after the address is deleted."""
    return hashlib.sha256(f"{salt}\x00{normalised}".encode()).hexdigest()


def is_free_mail(domain: str) -> bool:
    return domain in FREE_MAIL_DOMAINS
