"""Signals of the accounts module, so that higher modules act on what happens to an account without accounts
importing them (the layer order in docs/architecture.md; Indico works the same way with blinker signals).
Receivers run inside the sender's transaction: they may add rows and flush, never commit."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

account_opened = _signals.signal("account-opened", doc="""
A person opened a new account through a form on which they accepted the current terms and privacy notice
(registration, accepting an invitation). Sender: the new `User`; keyword `now`: when.
""")
