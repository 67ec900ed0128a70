"""What the monitor says about each manipulation pattern, in plain German (one place for the labels)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from .patterns import DISPOSABLE, DOMAIN_BURST, FAST_CONFIRM, NETWORK_BURST, SEQUENTIAL, Flag

TITLES = {
    NETWORK_BURST: _l("Viele Stimmen aus einem Netz"),
    DOMAIN_BURST: _l("Viele Stimmen von einer E-Mail-Domain"),
    DISPOSABLE: _l("Wegwerf-E-Mail-Adressen"),
    FAST_CONFIRM: _l("Bestätigung schneller als ein Mensch klickt"),
    SEQUENTIAL: _l("Durchnummerierte Adressen"),
}


def explain(flag: Flag) -> str:
    """One or two sentences: what was seen and why it may indicate manipulation."""
    if flag.kind == NETWORK_BURST:
        return _("%(num)s Stimmen kamen innerhalb von %(minutes)s Minuten aus dem Netz %(net)s. So viele Stimmen aus "
                 "einem Anschluss in kurzer Zeit deuten auf ein Skript oder eine organisierte Aktion hin; ein "
                 "Firmen- oder Hochschulnetz kann aber auch ehrlich viele Menschen vereinen.",
                 num=flag.count, minutes=flag.detail.get("window_minutes", 10), net=flag.key)
    if flag.kind == DOMAIN_BURST:
        return _("%(num)s Stimmen kamen innerhalb von %(minutes)s Minuten von Adressen bei %(domain)s. Das spricht "
                 "dafür, dass eine Organisation ihre Beschäftigten zur Stimmabgabe aufgerufen hat.",
                 num=flag.count, minutes=flag.detail.get("window_minutes", 10), domain=flag.key)
    if flag.kind == DISPOSABLE:
        return ngettext("%(num)s Stimme kam von %(domain)s, einem Anbieter von Wegwerf-Adressen. Mit solchen "
                        "Adressen kann eine Person beliebig viele Stimmen abgeben.",
                        "%(num)s Stimmen kamen von %(domain)s, einem Anbieter von Wegwerf-Adressen. Mit solchen "
                        "Adressen kann eine Person beliebig viele Stimmen abgeben.", flag.count, domain=flag.key)
    if flag.kind == FAST_CONFIRM:
        seconds = flag.detail.get("seconds", 3)
        return ngettext("%(num)s Stimme wurde weniger als %(s)s Sekunden nach dem Versand der E-Mail bestätigt. So "
                        "schnell öffnet kein Mensch eine E-Mail und klickt; das deutet auf ein Programm hin.",
                        "%(num)s Stimmen wurden weniger als %(s)s Sekunden nach dem Versand der E-Mail bestätigt. So "
                        "schnell öffnet kein Mensch eine E-Mail und klickt; das deutet auf ein Programm hin.",
                        flag.count, s=f"{seconds:g}".replace(".", ","))
    if flag.kind == SEQUENTIAL:
        return _("%(num)s Stimmen kamen von durchnummerierten Adressen wie %(example)s (Nummern %(first)s bis "
                 "%(last)s). Solche Reihen entstehen, wenn jemand viele Postfächer für sich anlegt.",
                 num=flag.count, example=flag.detail.get("example", ""), first=flag.detail.get("first", ""),
                 last=flag.detail.get("last", ""))
    return ""
