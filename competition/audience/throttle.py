"""Rate-limit keys of the vote and confirm endpoints (Flask-Limiter): per address and per network.

No third-party captcha (its provider would see every voter). The limits are in the config
(``RATELIMIT_AUDIENCE_PER_ADDRESS``, ``RATELIMIT_AUDIENCE_PER_NETWORK``, ``RATELIMIT_AUDIENCE_CONFIRM``); a network
is the client's /24 (IPv4) or /48 (IPv6), so one machine cannot dodge the limit by changing its last address bits.
"""

from __future__ import annotations

import hashlib

from flask import request
from flask_limiter.util import get_remote_address

from .addresses import AddressInvalid, normalise
from .patterns import network_of


def network_key() -> str:
    return "audience-net:" + (network_of(get_remote_address()) or get_remote_address() or "-")


def address_key() -> str:
    raw = request.form.get("email", "")[:254]
    try:
        value = normalise(raw)
    except AddressInvalid:
        value = raw.strip().lower()
    return "audience-addr:" + hashlib.sha256(value.encode()).hexdigest()[:32]
