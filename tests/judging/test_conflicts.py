"""Automatic detection of conflicts of interest [Befangenheit]: pure, no fixtures."""

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from competition.judging.conflicts import (
    Affiliations,
    CompanyIdentity,
    ConflictReason,
    DetectedConflict,
    JurorIdentity,
    detect_conflicts,
    group_mates,
    normalise_company_name,
    registrable_domain,
    standing_conflicts,
)

VW_SACHSEN = CompanyIdentity(1, "Volkswagen Sachsen GmbH", "https://www.volkswagen-sachsen.de/de/werk-zwickau.html",
                             ("bewerbung@volkswagen.de",))
KOMSA = CompanyIdentity(2, "KOMSA AG", "www.komsa.com", ("vertrieb@komsa.com", "jens.k@gmx.de"))
NILES = CompanyIdentity(3, "Niles-Simmons Industrieanlagen GmbH", "http://niles-simmons.de:8080/kontakt?lang=de")
WOLF = CompanyIdentity(4, "Wolf Fertigungstechnik GmbH & Co. KG", "", ("wolf.fertigung@t-online.de",))
MUELLER = CompanyIdentity(5, "Müller Maschinenbau GmbH & Co. KG", "https://mueller-maschinenbau-zwickau.de")
TEXTIL = CompanyIdentity(6, "Chemnitz Textil GmbH", "https://www.chemnitz-textil.de")
VW_AG = CompanyIdentity(7, "Volkswagen AG", "https://www.vw.de")
STARTUP = CompanyIdentity(8, "Smart Mobility Chemnitz UG (haftungsbeschränkt)", "https://smart-mobility-chemnitz.de",
                          ("gruender@mb.tu-chemnitz.de",))
COMPANIES = (VW_SACHSEN, KOMSA, NILES, WOLF, MUELLER, TEXTIL, VW_AG, STARTUP)


def juror(id_, email, organisation="", employer_domains=(), former_employers=()):
    return JurorIdentity(id_, email, organisation, tuple(employer_domains), tuple(former_employers))


def found(jurors, companies=COMPANIES, affiliations=None):
    return {(c.juror_id, c.company_id): c for c in detect_conflicts(jurors, companies, affiliations)}


# --- normalising names -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("left", "right"), [
    ("Volkswagen Sachsen GmbH", "Volkswagen Sachsen"),
    ("Müller Maschinenbau GmbH & Co. KG", "Mueller Maschinenbau KG"),
    ("Müller Maschinenbau GmbH & Co. KG", "MÜLLER  MASCHINENBAU"),
    ("KOMSA AG", "Komsa Aktiengesellschaft"),
    ("Niles-Simmons Industrieanlagen GmbH", "Niles Simmons Industrieanlagen"),
    ("Niles-Simmons Industrieanlagen GmbH", "  niles – simmons   industrieanlagen gmbh "),
    ("Wolf Fertigungstechnik GmbH & Co. KG", "Wolf Fertigungstechnik Co. KG"),
    ("Wolf Fertigungstechnik GmbH & Co. KG", "Wolf Fertigungstechnik GmbH&Co.KG"),
    ("Wolf Fertigungstechnik GmbH & Co. KG", "Wolf Fertigungstechnik GmbH + Co KG"),
    ("Erzgebirgische Holzkunst Meier e. K.", "Erzgebirgische Holzkunst Meier e.K."),
    ("Agrargenossenschaft Lichtenberg eG", "Agrargenossenschaft Lichtenberg"),
    ("Druckerei Straßberger OHG", "Druckerei Strassberger"),
    ("Solarbau Görlitz UG (haftungsbeschränkt)", "Solarbau Goerlitz UG"),
    ("Plauener Spitze Gesellschaft mit beschränkter Haftung", "Plauener Spitze GmbH"),
    ("Schmidt & Partner GbR", "Schmidt und Partner"),
    ("Heckert Solar SE", "Heckert Solar"),
    ("Brauerei Rechenberg KGaA", "Brauerei Rechenberg"),
    ("Meyer & Co.", "Meyer"),
    ("Café Erzgebirge mbH", "Cafe Erzgebirge"),
])
def test_names_that_differ_only_in_legal_form_spelling_and_case_match(left, right):
    assert normalise_company_name(left) == normalise_company_name(right)


def test_normalised_name_is_readable_lower_case_words():
    assert normalise_company_name("Müller Maschinenbau GmbH & Co. KG") == "mueller maschinenbau"
    assert normalise_company_name("Niles-Simmons Industrieanlagen GmbH") == "niles simmons industrieanlagen"
    assert normalise_company_name("Straße des Fortschritts GmbH i. L.") == "strasse des fortschritts"
    assert normalise_company_name("") == ""
    assert normalise_company_name("GmbH") == ""


@pytest.mark.parametrize(("left", "right"), [
    ("TU Chemnitz", "Chemnitz Textil GmbH"),
    ("Volkswagen Sachsen GmbH", "Volkswagen AG"),
    ("Volkswagen Sachsen GmbH", "Volkswagen Sachsen Werk Zwickau GmbH"),
    ("Stahlwerk Riesa GmbH", "Stahlwerke Riesa GmbH"),  # common words are not stripped
    ("Werk GmbH", "Werke GmbH"),
    ("Fraunhofer IWU", "Fraunhofer IWS"),
    ("SE Elektronik GmbH", "Elektronik GmbH"),  # a legal form is stripped at the end only
    ("Müller GmbH", "Muller GmbH"),
])
def test_different_names_stay_different(left, right):
    assert normalise_company_name(left) != normalise_company_name(right)


# --- registrable domains -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("tu-chemnitz.de", "tu-chemnitz.de"),
    ("mail.tu-chemnitz.de", "tu-chemnitz.de"),
    ("m.schulz@mb.TU-Chemnitz.de", "tu-chemnitz.de"),
    ("www.komsa.com", "komsa.com"),
    ("https://www.KOMSA.com:443/de/kontakt?x=1#team", "komsa.com"),
    ("http://niles-simmons.de:8080/kontakt", "niles-simmons.de"),
    ("niles-simmons.de/impressum", "niles-simmons.de"),
    ("mailto:info@ihk-chemnitz.de", "ihk-chemnitz.de"),
    ("Katrin Lehmann <k.lehmann@fh-zwickau.de>", "fh-zwickau.de"),
    ("@komsa.com", "komsa.com"),
    ("  WHZ.de.  ", "whz.de"),
    ("https://user:secret@intranet.iwu.fraunhofer.de/", "fraunhofer.de"),
    ("www.saxony-trade.co.uk", "saxony-trade.co.uk"),
    ("shop.example-motors.com.au", "example-motors.com.au"),
    ("müller-maschinenbau.de", "müller-maschinenbau.de"),
    ("xn--mller-maschinenbau-m6b.de", "müller-maschinenbau.de"),
])
def test_registrable_domain(value, expected):
    assert registrable_domain(value) == expected


@pytest.mark.parametrize("value", [
    "", "   ", "keine", "n/a", "-", "http://", "localhost", "192.168.0.10", "https://10.0.0.1:8080/", "a@[::1]",
    "co.uk", "www.de", "komsa .com", "-komsa.com", "komsa_gmbh.de", "xn--.de", "tel:+49371123456",
])
def test_registrable_domain_refuses_what_is_no_domain(value):
    assert registrable_domain(value) is None


@pytest.mark.parametrize("domain", [
    "gmail.com", "googlemail.com", "web.de", "gmx.de", "gmx.net", "t-online.de", "outlook.com", "hotmail.com",
    "hotmail.de", "yahoo.com", "yahoo.de", "icloud.com", "me.com", "posteo.de", "mailbox.org", "freenet.de",
    "arcor.de", "aol.com", "protonmail.com", "proton.me",
])
def test_free_mail_domains_are_no_registrable_domain(domain):
    assert registrable_domain(domain) is None
    assert registrable_domain(f"erika.mustermann@{domain}") is None
    assert registrable_domain(f"https://www.{domain}/") is None
    assert registrable_domain(f"erika@mail.{domain}") is None


# --- detection: domains ------------------------------------------------------------------------------------------

def test_juror_email_subdomain_matches_company_contact_domain():
    result = found([juror(101, "m.schulz@mb.tu-chemnitz.de", "TU Chemnitz")])
    assert set(result) == {(101, STARTUP.id)}
    conflict = result[101, STARTUP.id]
    assert conflict.reason is ConflictReason.DOMAIN
    assert conflict.evidence == ("E-Mail-Domain tu-chemnitz.de = E-Mail-Domain einer Ansprechperson des "
                                 "Unternehmens")


def test_juror_email_matches_company_website_with_path_and_port():
    result = found([juror(102, "s.richter@niles-simmons.de")])
    assert result[102, NILES.id] == DetectedConflict(102, NILES.id, ConflictReason.DOMAIN,
                                                     "E-Mail-Domain niles-simmons.de = Website des Unternehmens")


def test_employer_domain_from_profile_matches():
    result = found([juror(103, "s.becker@iwu.fraunhofer.de", "Fraunhofer IWU", employer_domains=["www.komsa.com"])])
    assert set(result) == {(103, KOMSA.id)}
    assert result[103, KOMSA.id].evidence == "Domain des Arbeitgebers komsa.com = Website des Unternehmens"


def test_a_free_mail_domain_never_causes_a_conflict():
    jurors = [
        juror(104, "jens.meier@gmx.de"),  # KOMSA has a contact with another gmx.de address
        juror(105, "wolf.fan@t-online.de", employer_domains=["gmail.com", "web.de"]),
        juror(106, "", employer_domains=["", "keine"]),
    ]
    assert found(jurors) == {}


@pytest.mark.parametrize("email", ["jens.k@gmx.de", "Jens.K@GMX.de", " Jens K <jens.k@gmx.de> "])
def test_the_same_free_mail_address_is_a_conflict(email):
    """KOMSA lists jens.k@gmx.de as a contact: a juror with that very address is that person (the domain alone
    would prove nothing)."""
    result = found([juror(104, email)])
    assert set(result) == {(104, KOMSA.id)}
    assert result[104, KOMSA.id].reason is ConflictReason.ADDRESS
    assert result[104, KOMSA.id].evidence == "E-Mail-Adresse jens.k@gmx.de = Adresse einer Person des Unternehmens"


def test_membership_present_or_past_is_a_conflict_and_spreads_over_groups():
    groups = Affiliations(groups=(("Volkswagen Sachsen GmbH", "Volkswagen AG"),))
    member = JurorIdentity(110, "k.otto@uni.example", companies=(VW_SACHSEN.id,))
    former = JurorIdentity(111, "a.b@freemail.example", former_companies=(WOLF.id,))
    result = found([member, former], affiliations=groups)
    assert {pair: c.reason for pair, c in result.items()} == {
        (110, VW_SACHSEN.id): ConflictReason.MEMBERSHIP,
        (110, VW_AG.id): ConflictReason.GROUP,
        (111, WOLF.id): ConflictReason.FORMER_MEMBERSHIP,
    }
    assert result[110, VW_SACHSEN.id].evidence == "Gehört zum Unternehmen „Volkswagen Sachsen GmbH“"
    assert result[111, WOLF.id].evidence == "Gehörte früher zum Unternehmen „Wolf Fertigungstechnik GmbH & Co. KG“"


def test_standing_conflicts_leave_names_to_the_organisers():
    """Organisation names and former employers can be false friends: the standing part leaves them out, while
    memberships, addresses and domains stay."""
    by_name = juror(120, "x@uni.example", "KOMSA AG", former_employers=["Niles-Simmons Industrieanlagen"])
    by_domain = juror(121, "m@komsa.com")
    standing = {(c.juror_id, c.company_id): c.reason for c in standing_conflicts([by_name, by_domain], COMPANIES)}
    assert standing == {(121, KOMSA.id): ConflictReason.DOMAIN}
    assert set(found([by_name])) == {(120, KOMSA.id), (120, NILES.id)}


def test_fraunhofer_institutes_share_the_registrable_domain():
    enas = CompanyIdentity(20, "Fraunhofer ENAS Ausgründung GmbH", "https://www.enas.fraunhofer.de")
    result = found([juror(103, "s.becker@iwu.fraunhofer.de", "Fraunhofer IWU")], [enas])
    assert result[103, 20].reason is ConflictReason.DOMAIN


# --- detection: names --------------------------------------------------------------------------------------------

def test_organisation_matches_normalised_company_name():
    result = found([juror(110, "p.vogel@ihk-chemnitz.de", "Volkswagen Sachsen")])
    assert result[110, VW_SACHSEN.id] == DetectedConflict(
        110, VW_SACHSEN.id, ConflictReason.ORGANISATION,
        "Organisation „Volkswagen Sachsen“ = „Volkswagen Sachsen GmbH“")
    assert set(result) == {(110, VW_SACHSEN.id)}


def test_former_employer_matches_with_umlaut_and_legal_form_differences():
    result = found([juror(102, "k.lehmann@fh-zwickau.de", "Westsächsische Hochschule Zwickau",
                          former_employers=["Mueller Maschinenbau KG"])])
    assert result[102, MUELLER.id] == DetectedConflict(
        102, MUELLER.id, ConflictReason.FORMER_EMPLOYER,
        "Früherer Arbeitgeber „Mueller Maschinenbau KG“ = „Müller Maschinenbau GmbH & Co. KG“")


@pytest.mark.parametrize("organisation", [
    "TU Chemnitz", "Chemnitz", "Stadt Chemnitz", "Textil", "IT", "AG", "GmbH", "", "Selbstständig", "freiberuflich",
    "keine", "Consulting", "Sachsen", "Wolf", "Wolf Fertigung", "Chemnitz Textil Service GmbH",
])
def test_partial_short_and_generic_names_do_not_match(organisation):
    companies = (*COMPANIES, CompanyIdentity(30, "IT GmbH"), CompanyIdentity(31, "Consulting GmbH"),
                 CompanyIdentity(32, "Chemnitz GmbH"), CompanyIdentity(33, "Selbstständig UG"),
                 CompanyIdentity(34, "Sachsen AG"))
    assert found([juror(111, "x@uni-leipzig.de", organisation, former_employers=[organisation])], companies) == {}


# --- detection: aliases and groups -------------------------------------------------------------------------------

def test_domain_alias_resolves_both_ways():
    ag = juror(120, "h.kraus@vw.de")
    assert found([ag], [VW_SACHSEN]) == {}
    for pair in (("vw.de", "volkswagen.de"), ("volkswagen.de", "https://www.vw.de/")):
        result = found([ag], [VW_SACHSEN], Affiliations(domain_aliases=(pair,)))
        assert result[120, VW_SACHSEN.id].reason is ConflictReason.DOMAIN
        assert result[120, VW_SACHSEN.id].evidence == (
            "E-Mail-Domain vw.de = E-Mail-Domain einer Ansprechperson des Unternehmens "
            "(volkswagen.de, als Domain-Alias hinterlegt)")


def test_domain_aliases_are_transitive():
    aliases = Affiliations(domain_aliases=(("volkswagen-sachsen.de", "vw-sachsen.de"), ("vw-sachsen.de", "vws.de")))
    result = found([juror(121, "t.lange@vws.de")], [VW_SACHSEN], aliases)
    assert result[121, VW_SACHSEN.id].reason is ConflictReason.DOMAIN


def test_free_mail_alias_is_ignored():
    aliases = Affiliations(domain_aliases=(("gmail.com", "komsa.com"),))
    assert found([juror(122, "fan@gmail.com")], [KOMSA], aliases) == {}


def test_group_spreads_a_conflict_to_every_company_of_the_group():
    vw_group = Affiliations(groups=(("Volkswagen Sachsen GmbH", "Volkswagen AG"),))
    result = found([juror(130, "r.neumann@volkswagen-sachsen.de")], affiliations=vw_group)
    assert set(result) == {(130, VW_SACHSEN.id), (130, VW_AG.id)}
    assert result[130, VW_SACHSEN.id].reason is ConflictReason.DOMAIN
    assert result[130, VW_AG.id].reason is ConflictReason.GROUP
    assert result[130, VW_AG.id].evidence == (
        "Unternehmensgruppe (Volkswagen AG, Volkswagen Sachsen GmbH): Befangenheit bei „Volkswagen Sachsen GmbH“ "
        "(E-Mail-Domain volkswagen-sachsen.de = Website des Unternehmens)")


def test_member_of_a_group_that_does_not_take_part_conflicts_with_the_group():
    vw_group = Affiliations(groups=(("Volkswagen Sachsen GmbH", "Volkswagen AG", "vw.de"),))
    by_name = juror(131, "c.hahn@ihk-chemnitz.de", "IHK Chemnitz", former_employers=["Volkswagen Aktiengesellschaft"])
    by_domain = juror(132, "b.franke@vw.de")
    result = found([by_name, by_domain], [VW_SACHSEN], vw_group)
    assert result[131, VW_SACHSEN.id].reason is ConflictReason.GROUP
    assert result[131, VW_SACHSEN.id].evidence.endswith(": Früherer Arbeitgeber „Volkswagen Aktiengesellschaft“")
    assert result[132, VW_SACHSEN.id].reason is ConflictReason.GROUP
    assert result[132, VW_SACHSEN.id].evidence.endswith(": E-Mail-Domain vw.de")


def test_groups_with_a_common_member_are_one_group():
    groups = Affiliations(groups=(("Volkswagen Sachsen GmbH", "Volkswagen AG"), ("Volkswagen AG", "komsa.com")))
    result = found([juror(133, "l.schreiber@komsa.com")], [VW_SACHSEN, KOMSA, NILES], groups)
    assert set(result) == {(133, KOMSA.id), (133, VW_SACHSEN.id)}
    assert result[133, VW_SACHSEN.id].reason is ConflictReason.GROUP


def test_group_domains_are_compared_after_aliases():
    groups = Affiliations(groups=(("Niles-Simmons Industrieanlagen GmbH", "volkswagen.de"),),
                          domain_aliases=(("vw.de", "volkswagen.de"),))
    result = found([juror(134, "u.krause@vw.de")], [NILES], groups)
    assert result[134, NILES.id].reason is ConflictReason.GROUP


def test_group_mates_use_the_same_grouping():
    groups = Affiliations(groups=(("Volkswagen Sachsen GmbH", "Volkswagen AG"), ("vw.de", "komsa.com")))
    mates = group_mates(COMPANIES, groups)
    assert mates[VW_SACHSEN.id] == {VW_SACHSEN.id, VW_AG.id, KOMSA.id}
    assert mates[NILES.id] == {NILES.id}


# --- the result --------------------------------------------------------------------------------------------------

def test_one_conflict_per_pair_with_the_strongest_reason_sorted():
    groups = Affiliations(groups=(("Volkswagen Sachsen GmbH", "Volkswagen AG"),))
    everything = juror(140, "k.otto@vw.de", "Volkswagen Sachsen GmbH", employer_domains=["komsa.com"],
                       former_employers=["Volkswagen AG", "KOMSA", "Niles Simmons Industrieanlagen"])
    other = juror(7, "a.berger@niles-simmons.de", former_employers=["Niles-Simmons Industrieanlagen"])
    result = detect_conflicts([everything, other], reversed(COMPANIES), groups)
    assert [(c.juror_id, c.company_id, c.reason) for c in result] == [
        (7, NILES.id, ConflictReason.DOMAIN),
        (140, VW_SACHSEN.id, ConflictReason.ORGANISATION),
        (140, KOMSA.id, ConflictReason.DOMAIN),
        (140, NILES.id, ConflictReason.FORMER_EMPLOYER),
        (140, VW_AG.id, ConflictReason.DOMAIN),
    ]


def test_reasons_are_ordered_by_strength():
    assert [reason.strength for reason in ConflictReason] == [0, 1, 2, 3, 4, 5, 6]
    assert list(ConflictReason) == [ConflictReason.MEMBERSHIP, ConflictReason.FORMER_MEMBERSHIP,
                                    ConflictReason.ADDRESS, ConflictReason.DOMAIN, ConflictReason.ORGANISATION,
                                    ConflictReason.FORMER_EMPLOYER, ConflictReason.GROUP]


def test_nothing_in_nothing_out():
    assert detect_conflicts([], [], Affiliations()) == []
    assert detect_conflicts([juror(1, "a@tu-chemnitz.de", "TU Chemnitz")], []) == []


def test_two_thousand_jurors_and_twenty_thousand_companies_take_seconds():
    companies = [CompanyIdentity(i, f"Firma {i} Maschinenbau GmbH", f"https://www.firma-{i}.de/kontakt",
                                 (f"info@firma-{i}.de", f"inhaber{i}@gmx.de")) for i in range(20_000)]
    jurors = [juror(100_000 + j, f"j{j}@fak{j % 7}.uni-{j % 50}.de", f"Institut {j}",
                    employer_domains=[f"firma-{j * 10}.de"] if j % 10 == 0 else [],
                    former_employers=[f"Firma {j * 3} Maschinenbau KG"] if j % 4 == 0 else [])
              for j in range(2_000)]
    groups = tuple((f"Firma {g} Maschinenbau", f"firma-{g + 1}.de", f"Firma {g + 2} Maschinenbau GmbH")
                   for g in range(0, 3_000, 3))
    aliases = tuple((f"uni-{u}.de", f"firma-{10_000 + u}.de") for u in range(50))
    started = time.perf_counter()
    result = detect_conflicts(jurors, companies, Affiliations(groups=groups, domain_aliases=aliases))
    elapsed = time.perf_counter() - started
    reasons = {reason: sum(1 for c in result if c.reason is reason) for reason in ConflictReason}
    # every juror through the alias of their university, 200 through an employer domain (one pair coincides)
    assert reasons[ConflictReason.DOMAIN] == 2_000 + 200 - 1
    assert reasons[ConflictReason.FORMER_EMPLOYER] > 400
    assert reasons[ConflictReason.GROUP] > 0
    assert elapsed < 5, f"{elapsed:.1f} s"


# --- properties --------------------------------------------------------------------------------------------------

WORDS = ["Volkswagen", "Sachsen", "Müller", "Mueller", "Maschinenbau", "Werk", "Werke", "Zwickau", "Chemnitz",
         "Niles-Simmons", "Industrieanlagen", "Straße", "Fertigungstechnik", "Textil", "KOMSA", "Erzgebirge", "Plauen"]
LEGAL = ["GmbH", "AG", "SE", "KG", "OHG", "UG (haftungsbeschränkt)", "e. K.", "e.K.", "eG", "GbR", "GmbH & Co. KG",
         "Co. KG", "KGaA", "& Co.", "Gesellschaft mit beschränkter Haftung", "Aktiengesellschaft", "mbH"]


@given(st.text())
@settings(max_examples=500)
def test_normalising_is_idempotent(name):
    once = normalise_company_name(name)
    assert normalise_company_name(once) == once


@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4), st.lists(st.sampled_from(LEGAL), max_size=2))
def test_legal_forms_umlauts_case_and_spacing_do_not_matter(words, forms):
    name = " ".join(words)
    variant = "  ".join([*words, *forms]).upper().replace("Ü", "UE").replace("ß", "SS").replace("-", " - ")
    assert normalise_company_name(variant) == normalise_company_name(name)


DOMAINS = ["tu-chemnitz.de", "fh-zwickau.de", "iwu.fraunhofer.de", "ihk-chemnitz.de", "komsa.com", "vw.de",
           "volkswagen.de", "volkswagen-sachsen.de", "niles-simmons.de", "gmail.com", "web.de"]
NAMES = ["Volkswagen Sachsen GmbH", "Volkswagen AG", "KOMSA AG", "Müller Maschinenbau GmbH & Co. KG",
         "Mueller Maschinenbau KG", "TU Chemnitz", "Fraunhofer IWU", "Chemnitz Textil GmbH", "Selbstständig", ""]


@st.composite
def worlds(draw):
    jurors = [JurorIdentity(j, "x@" + draw(st.sampled_from(DOMAINS)), draw(st.sampled_from(NAMES)),
                            tuple(draw(st.lists(st.sampled_from(DOMAINS), max_size=2))),
                            tuple(draw(st.lists(st.sampled_from(NAMES), max_size=2))))
              for j in range(draw(st.integers(0, 5)))]
    companies = [CompanyIdentity(100 + c, draw(st.sampled_from(NAMES)), "https://www." + draw(st.sampled_from(DOMAINS)),
                                 tuple("info@" + d for d in draw(st.lists(st.sampled_from(DOMAINS), max_size=2))))
                 for c in range(draw(st.integers(0, 6)))]
    groups = draw(st.lists(st.lists(st.sampled_from(DOMAINS + NAMES), min_size=1, max_size=3).map(tuple), max_size=2))
    aliases = draw(st.lists(st.tuples(st.sampled_from(DOMAINS), st.sampled_from(DOMAINS)), max_size=3))
    return jurors, companies, Affiliations(groups=tuple(groups), domain_aliases=tuple(aliases))


def _shuffled(draw, items):
    return draw(st.permutations(items)) if items else []


@given(worlds(), st.data())
def test_detection_does_not_depend_on_input_order(world, data):
    jurors, companies, affiliations = world
    draw = data.draw
    jurors2 = [JurorIdentity(j.id, j.email, j.organisation, tuple(_shuffled(draw, j.employer_domains)),
                             tuple(_shuffled(draw, j.former_employers))) for j in _shuffled(draw, jurors)]
    companies2 = [CompanyIdentity(c.id, c.legal_name, c.website, tuple(_shuffled(draw, c.staff_emails)))
                  for c in _shuffled(draw, companies)]
    affiliations2 = Affiliations(
        groups=tuple(tuple(_shuffled(draw, group)) for group in _shuffled(draw, affiliations.groups)),
        domain_aliases=tuple((b, a) for a, b in _shuffled(draw, affiliations.domain_aliases)))
    assert detect_conflicts(jurors2, companies2, affiliations2) == detect_conflicts(jurors, companies, affiliations)


@given(worlds(), st.tuples(st.sampled_from(DOMAINS), st.sampled_from(DOMAINS)))
def test_adding_an_alias_never_removes_a_conflict(world, alias):
    jurors, companies, affiliations = world
    before = {(c.juror_id, c.company_id) for c in detect_conflicts(jurors, companies, affiliations)}
    more = Affiliations(groups=affiliations.groups, domain_aliases=(*affiliations.domain_aliases, alias))
    after = {(c.juror_id, c.company_id) for c in detect_conflicts(jurors, companies, more)}
    assert before <= after


FREE = ("gmail.com", "web.de")


def _without_free_mail(world):
    """The world with each free-mail domain replaced by a domain of its own, that nothing else shares."""
    counter = iter(range(10**6))

    def own(text):
        for domain in FREE:
            if text.endswith(domain):
                return text[: -len(domain)] + f"privat-{next(counter)}.de"
        return text

    jurors, companies, affiliations = world
    return (
        [JurorIdentity(j.id, own(j.email), j.organisation, tuple(map(own, j.employer_domains)), j.former_employers)
         for j in jurors],
        [CompanyIdentity(c.id, c.legal_name, own(c.website), tuple(map(own, c.staff_emails))) for c in companies],
        Affiliations(groups=tuple(tuple(map(own, g)) for g in affiliations.groups),
                     domain_aliases=tuple((own(a), own(b)) for a, b in affiliations.domain_aliases)),
    )


@given(worlds())
def test_result_is_sorted_unique_and_free_mail_contributes_nothing(world):
    result = detect_conflicts(*world)
    pairs = [(c.juror_id, c.company_id) for c in result]
    assert pairs == sorted(set(pairs))
    assert [(c.juror_id, c.company_id) for c in detect_conflicts(*_without_free_mail(world))] == pairs


@given(st.text())
def test_a_registrable_domain_is_its_own_registrable_domain(value):
    domain = registrable_domain(value)
    assert domain is None or registrable_domain(domain) == domain


def test_free_mail_domains_in_two_groups_do_not_join_them():
    """Found by the property test: "gmail.com" listed in two groups must not merge them (nor count as a name)."""
    jurors = [JurorIdentity(id=1, email="prof@tu-chemnitz.de")]
    companies = [CompanyIdentity(id=100, legal_name="Hochschule Zwickau", website="https://fh-zwickau.de")]
    groups = Affiliations(groups=(("tu-chemnitz.de", "gmail.com"), ("fh-zwickau.de", "gmail.com")))
    assert detect_conflicts(jurors, companies, groups) == []
