"""Each manipulation pattern is flagged on generated traffic; an honest vote raises no flag."""

from __future__ import annotations

from datetime import timedelta

from competition.audience import patterns
from competition.audience.patterns import Thresholds, all_flags, network_of

from .traffic import START, Traffic


def _kinds(flags):
    return {f.kind for f in flags}


def test_an_honest_vote_raises_no_flag():
    traffic = Traffic()
    traffic.honest(2000)
    assert all_flags(traffic.facts) == []


def test_a_burst_from_one_network_is_flagged_and_only_its_votes():
    traffic = Traffic()
    honest = traffic.honest(500)
    burst = [traffic.add(f"{name}{i}@{dom}", f"203.0.113.{i % 250 + 1}", START + timedelta(seconds=15 * i))
             for i, (name, dom) in enumerate((n, d) for n in ("karl", "lisa", "otto", "pia", "jan") for d in
                                              ("web.de", "gmx.de", "gmail.com", "posteo.de", "t-online.de"))]
    flags = patterns.network_bursts(traffic.facts)
    assert [f.key for f in flags] == ["203.0.113.0/24"]
    assert set(flags[0].ballot_ids) == set(burst)
    assert not set(flags[0].ballot_ids) & set(honest)


def test_an_ipv6_burst_is_grouped_by_its_48():
    traffic = Traffic()
    for i in range(25):
        traffic.add(f"p{chr(97 + i)}x@web.de", f"2001:db8:1:{i:x}::{i + 1:x}", START + timedelta(seconds=i * 10))
    flags = patterns.network_bursts(traffic.facts)
    assert [f.key for f in flags] == ["2001:db8:1::/48"]
    assert network_of("::ffff:198.51.100.7") == "198.51.100.0/24"


def test_the_same_network_spread_over_days_is_not_a_burst():
    traffic = Traffic()
    for i in range(40):  # a busy office: one vote every hour
        traffic.add(f"kollege{chr(97 + i % 26)}{chr(97 + i // 26)}@web.de", "198.51.100.10", START + timedelta(hours=i))
    assert patterns.network_bursts(traffic.facts) == []


def test_a_burst_from_one_company_domain_is_flagged_but_not_free_mail():
    traffic = Traffic()
    traffic.honest(300)
    ids = [traffic.add(f"{first}.{last}@grossfirma-sachsen.de", f"10.{i}.{i}.1", START + timedelta(seconds=20 * i))
           for i, (first, last) in enumerate((f, lst) for f in ("anna", "ben", "clara", "david", "emma")
                                              for lst in ("meier", "wolf", "vogel", "krause", "franke"))]
    for i in range(30):  # the same burst on a free-mail provider is not an employer's workforce
        traffic.add(f"fan{chr(97 + i % 26)}{i}@gmail.com", f"172.16.{i}.1", START + timedelta(seconds=10 * i))
    flags = patterns.domain_bursts(traffic.facts)
    assert [f.key for f in flags] == ["grossfirma-sachsen.de"]
    assert set(flags[0].ballot_ids) == set(ids)


def test_disposable_domains_from_the_shipped_list_are_flagged():
    traffic = Traffic()
    traffic.honest(200)
    one = traffic.add("wer@mailinator.com", "192.0.2.1", START)
    two = traffic.add("noch.wer@Trashmail.de", "192.0.2.2", START)
    flags = patterns.disposable(traffic.facts)
    assert {f.key for f in flags} == {"mailinator.com", "trashmail.de"}
    assert {i for f in flags for i in f.ballot_ids} == {one, two}
    assert "mailinator.com" in patterns.disposable_domains()


def test_confirmations_faster_than_a_person_are_flagged():
    traffic = Traffic()
    traffic.honest(300)
    bot = [traffic.add(f"b{chr(97 + i)}ot@web.de", f"100.64.{i}.1", START + timedelta(minutes=i), confirm_after=0.4)
           for i in range(5)]
    human = traffic.add("schnell.aber.echt@web.de", "100.65.0.1", START, confirm_after=4.0)
    flags = patterns.fast_confirmations(traffic.facts)
    assert set(flags[0].ballot_ids) == set(bot)
    assert human not in flags[0].ballot_ids


def test_sequential_addresses_are_flagged():
    traffic = Traffic()
    traffic.honest(300)
    ids = [traffic.add(f"max{n}@gmail.com", f"100.{n}.0.1", START + timedelta(hours=n)) for n in (1, 2, 3, 4, 6)]
    traffic.add("erika1975@gmail.com", "100.200.0.1", START)  # a birth year is not a sequence
    flags = patterns.sequential(traffic.facts)
    assert len(flags) == 1
    assert set(flags[0].ballot_ids) == set(ids)
    assert flags[0].detail["example"] == "max1@gmail.com"


def test_all_flags_finds_every_kind_on_mixed_traffic():
    traffic = Traffic()
    traffic.honest(1000)
    for i in range(25):
        traffic.add(f"skript{chr(97 + i)}@mailinator.com", "203.0.113.5", START + timedelta(seconds=i),
                    confirm_after=0.5)
    for n in range(1, 6):
        traffic.add(f"fan{n}@firma.de", f"100.{n}.1.1", START + timedelta(hours=n))
    for i in range(25):
        traffic.add(f"{chr(97 + i)}.mitarbeiter@werk-zwickau.de", f"10.9.{i}.1", START + timedelta(seconds=30 * i))
    assert _kinds(all_flags(traffic.facts, Thresholds())) == set(patterns.KINDS)
