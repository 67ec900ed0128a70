"""The vocabulary of the conflict detection: free-mail and generic domains, second-level public suffixes, legal
forms and names that tell nothing about an employer. Data only."""

from __future__ import annotations

# Registrable domains of free-mail providers and of platforms that host many unrelated organisations: never evidence.
FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "web.de", "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "gmx.com", "t-online.de",
    "outlook.com", "outlook.de", "hotmail.com", "hotmail.de", "live.com", "live.de", "msn.com", "yahoo.com",
    "yahoo.de", "ymail.com", "icloud.com", "me.com", "mac.com", "posteo.de", "mailbox.org", "freenet.de", "arcor.de",
    "aol.com", "aol.de", "protonmail.com", "protonmail.ch", "proton.me", "pm.me", "online.de", "email.de", "mail.de",
    "vodafone.de", "vodafonemail.de", "kabelmail.de", "tutanota.com", "tutanota.de", "tuta.io", "zoho.com",
    "yandex.com", "yandex.ru", "mail.ru", "gmail.de",
})
GENERIC_DOMAINS = frozenset({
    "example.com", "example.org", "example.net", "example.de", "google.com", "facebook.com", "instagram.com",
    "linkedin.com", "xing.com", "twitter.com", "x.com", "youtube.com", "github.io", "github.com", "gitlab.io",
    "wordpress.com", "blogspot.com", "jimdo.com", "jimdofree.com", "jimdosite.com", "wixsite.com", "wix.com",
    "webnode.page", "site123.me", "strikingly.com", "business.site", "dropbox.com",
})
IGNORED_DOMAINS = FREE_MAIL_DOMAINS | GENERIC_DOMAINS

# Second-level public suffixes: under these the registrable domain has three labels (example.co.uk).
SECOND_LEVEL_SUFFIXES = frozenset({
    "co.uk", "org.uk", "ac.uk", "gov.uk", "ltd.uk", "plc.uk", "me.uk", "net.uk", "com.au", "net.au", "org.au",
    "edu.au", "gov.au", "co.at", "or.at", "ac.at", "gv.at", "co.nz", "org.nz", "ac.nz", "co.jp", "ne.jp", "or.jp",
    "ac.jp", "co.za", "co.in", "co.il", "co.kr", "com.br", "com.cn", "com.hk", "com.mx", "com.pl", "com.tr",
    "com.sg", "com.tw", "com.ua", "com.ar",
})

# Legal forms (and their long spellings), removed from the end of a company name, repeatedly.
LEGAL_FORMS = (
    "GmbH", "gGmbH", "mbH", "GesmbH", "AG", "gAG", "SE", "KG", "KGaA", "OHG", "oHG", "UG", "UG (haftungsbeschränkt)",
    "e. K.", "e.K.", "eK", "e. Kfm.", "e. Kfr.", "eG", "e. G.", "GbR", "e. V.", "eV", "PartG", "PartG mbB",
    "PartGmbB", "mbB", "AöR", "KdöR", "GmbH & Co. KG", "GmbH & Co. KGaA", "AG & Co. KG", "SE & Co. KG",
    "SE & Co. KGaA", "UG (haftungsbeschränkt) & Co. KG", "& Co. KG", "& Co. KGaA", "Co. KG", "& Co.",
    "Gesellschaft mit beschränkter Haftung", "mit beschränkter Haftung", "Aktiengesellschaft", "Kommanditgesellschaft",
    "Kommanditgesellschaft auf Aktien", "offene Handelsgesellschaft", "eingetragene Genossenschaft",
    "eingetragener Kaufmann", "eingetragene Kauffrau", "eingetragener Verein", "Gesellschaft bürgerlichen Rechts",
    "Anstalt des öffentlichen Rechts", "Körperschaft des öffentlichen Rechts", "i. L.", "i. G.", "in Liquidation",
    "in Gründung", "Ltd.", "Limited", "Inc.", "LLC", "Corp.", "S.A.", "B.V.", "N.V.", "S.p.A.", "S.r.l.",
    "Sp. z o.o.", "s.r.o.", "a.s.",
)

# Names that say nothing about an employer; with names shorter than MIN_NAME_LENGTH they never match.
GENERIC_NAMES = (
    "selbstständig", "selbständig", "freiberuflich", "freiberufler", "freiberuflerin", "freelancer", "freischaffend",
    "privat", "privatperson", "keine", "kein", "keiner", "ohne", "none", "n/a", "nicht angegeben", "unbekannt",
    "ruhestand", "im Ruhestand", "Rentner", "Rentnerin", "Pensionär", "Pensionärin", "Student", "Studentin",
    "Studierende", "sonstige", "sonstiges", "diverse", "arbeitssuchend", "Elternzeit", "Inhaber", "Inhaberin",
    "Geschäftsführer", "Geschäftsführerin", "eigenes Unternehmen", "Beratung", "Berater", "Beraterin", "Consulting",
    "Unternehmensberatung", "Service", "Services", "Technik", "Industrie", "Forschung", "Verwaltung", "Hochschule",
    "Universität", "Stadt", "Gemeinde", "Landkreis", "Sachsen", "Deutschland", "Germany", "Chemnitz", "Zwickau",
    "Dresden", "Leipzig", "Plauen", "Freiberg", "Mittweida", "Erzgebirge", "Vogtland",
)
MIN_NAME_LENGTH = 3  # letters and digits of the normalised name
