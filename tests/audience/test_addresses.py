"""Address normalisation: one mailbox counts once, however it is written (property test with hypothesis)."""

from __future__ import annotations

import idna
import pytest
from hypothesis import given
from hypothesis import strategies as st

from competition.audience.addresses import AddressInvalid, address_hash, normalise

LOCAL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=12)
DOMAINS = st.sampled_from(["gmail.com", "web.de", "firma-muster.de", "müller-bau.de", "uni-chemnitz.de"])


@st.composite
def variant(draw, local: str, domain: str) -> str:
    """Any way of writing local@domain that reaches the same mailbox."""
    out = local
    if domain == "gmail.com":  # Gmail ignores dots: insert some anywhere inside the name
        positions = draw(st.lists(st.integers(1, max(1, len(out) - 1)), max_size=3, unique=True))
        for position in sorted(positions, reverse=True):
            if 0 < position < len(out) and out[position - 1] != "." and out[position] != ".":
                out = out[:position] + "." + out[position:]
    if draw(st.booleans()):  # plus-addressing
        out += "+" + draw(st.text(alphabet="abcxyz0123.", min_size=0, max_size=8))
    out = "".join(c.upper() if draw(st.booleans()) else c for c in out)  # case
    shown_domain = domain
    if domain == "gmail.com" and draw(st.booleans()):
        shown_domain = "googlemail.com"
    if shown_domain != "gmail.com" and any(ord(c) > 127 for c in shown_domain) and draw(st.booleans()):
        shown_domain = idna.encode(shown_domain, uts46=True).decode()  # the punycode form
    shown_domain = "".join(c.upper() if draw(st.booleans()) else c for c in shown_domain)
    if draw(st.booleans()):
        shown_domain += "."
    spaces = draw(st.sampled_from(["", " ", "\t", "  "]))
    return f"{spaces}{out}@{shown_domain}{spaces[::-1]}"


@given(data=st.data(), local=LOCAL, domain=DOMAINS)
def test_no_address_counts_twice_under_any_variant(data, local, domain):
    first = data.draw(variant(local, domain))
    second = data.draw(variant(local, domain))
    assert normalise(first) == normalise(second)
    assert address_hash(normalise(first), salt="s") == address_hash(normalise(second), salt="s")


@given(a=LOCAL, b=LOCAL)
def test_different_people_stay_different(a, b):
    if a.replace(".", "") != b.replace(".", ""):
        assert normalise(f"{a}@web.de") != normalise(f"{b}@web.de")


def test_examples():
    assert normalise(" Max.Mustermann+preis@GoogleMail.com ") == "maxmustermann@gmail.com"
    assert normalise("max.mustermann@web.de") == "max.mustermann@web.de"  # web.de does not ignore dots
    assert normalise("max.mustermann@web.de") != normalise("maxmustermann@web.de")
    assert normalise("Info@Müller-Bau.de") == normalise("info@xn--mller-bau-q9a.de")
    assert address_hash("a@web.de", salt="x") != address_hash("a@web.de", salt="y")


@pytest.mark.parametrize("bad", ["", "max", "max@", "@web.de", "max@localhost", "ma x@web.de", "max@web..de",
                                 "+tag@web.de", "max@-web.de"])
def test_invalid_addresses_are_refused(bad):
    with pytest.raises(AddressInvalid):
        normalise(bad)
