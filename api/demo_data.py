"""The Drôme demo data set (``cheque-ledger demo``): funders of the inter-operator fund, their conventions
and payments, places, prescribers, invented names, themes, equipment sources, and the demo accounts."""

from __future__ import annotations

from datetime import date

from domain.roles import Role

FUNDERS = [
    ("ETAT26", "État – Préfecture de la Drôme (France Numérique Ensemble)", "state"),
    ("FSE-PLUS", "Union européenne – FSE+", "eu"),
    ("CAF26", "Caisse d'allocations familiales de la Drôme", "caf"),
    ("DEPT26", "Département de la Drôme", "department"),
    ("FT26", "France Travail Drôme", "france_travail"),
    ("CFPPA26", "Conférence des financeurs de la prévention de la perte d'autonomie", "conference_financeurs"),
    ("VRA", "Valence Romans Agglo", "epci"),
]

# code, reference, euros, from, until, publics, territory, priority
COMMITMENTS = [
    ("ETAT26", "FNE-2026-S1", 6_000, date(2026, 1, 1), date(2026, 6, 30), [], [], 5),
    ("CAF26", "CAF-2026-INCLUSION", 8_000, date(2026, 1, 1), date(2026, 12, 31), ["caf_low_income", "rsa"], [], 10),
    ("CFPPA26", "CFPPA-2026-SENIORS", 6_000, date(2026, 1, 1), date(2026, 12, 31), ["senior"], [], 10),
    ("FT26", "FT-2026-RETOUR-EMPLOI", 4_000, date(2026, 1, 1), date(2026, 12, 31), ["job_seeker"], [], 20),
    (
        "FSE-PLUS",
        "FSE-2026-0042",
        10_000,
        date(2026, 1, 1),
        date(2027, 6, 30),
        ["rsa", "job_seeker", "ase_young_adult"],
        [],
        30,
    ),
    ("VRA", "VRA-2026-QUARTIERS", 3_000, date(2026, 1, 1), date(2026, 12, 31), [], ["26362", "26281"], 50),
    ("DEPT26", "DEPT-2026-CHEQUE-NUM", 20_000, date(2026, 1, 1), date(2027, 12, 31), [], [], 100),
]

PAYMENTS = [
    ("ETAT26", 6_000, date(2026, 2, 3), "Arrêté préfectoral 2026-118"),
    ("CAF26", 4_000, date(2026, 3, 2), "Versement 1/2 convention CAF"),
    ("CFPPA26", 6_000, date(2026, 2, 20), "Notification CFPPA 2026"),
    ("FSE-PLUS", 3_000, date(2026, 4, 15), "Avance FSE+ 30 %"),
    ("DEPT26", 10_000, date(2026, 1, 20), "Délibération CP 2026-01"),
    ("VRA", 3_000, date(2026, 5, 5), "Fonds de concours VRA"),
]

# name, commune, labels
STRUCTURES = [
    ("Fab'At – Éclaireurs du numérique", "26362", ["eclaireurs_du_numerique", "pix_center"]),
    ("Espace Social et Culturel du Diois", "26113", ["france_services", "conseiller_numerique"]),
    ("France services de Nyons", "26220", ["france_services", "aidants_connect"]),
    ("Centre social Coluche – Romans-sur-Isère", "26281", ["conseiller_numerique"]),
    ("Médiathèque de Crest", "26108", ["conseiller_numerique", "eclaireurs_du_numerique"]),
]

# The places' details in the national schema (same order as STRUCTURES): the export, the paper directory and
# the last pages of the demo cheque books show them. Invented addresses and numbers.
PLACE_DETAILS: list[dict] = [
    {
        "address": "12 rue Madier de Montjau",
        "postal_code": "26000",
        "phone": "04 75 40 12 34",
        "email": "accueil@fabat-valence.example.org",
        "website": "https://fabat-valence.example.org",
        "services": ["everyday_tools", "safe_use", "understanding", "leisure"],
        "opening_hours": "Tu-Fr 09:30-12:30,13:30-18:00; Sa 10:00-13:00; PH off",
    },
    {
        "address": "2 rue Joseph Reynaud",
        "postal_code": "26150",
        "phone": "04 75 22 20 45",
        "email": "numerique@esc-diois.example.org",
        "services": ["administrative_procedures", "everyday_tools", "internet_access"],
        "opening_hours": "Mo-Fr 09:00-12:00,14:00-17:00; We 09:00-12:00; PH off",
    },
    {
        "address": "Place Joseph Buffaven",
        "postal_code": "26110",
        "phone": "04 75 26 10 60",
        "email": "france-services@nyons.example.org",
        "services": ["administrative_procedures", "internet_access"],
        "opening_hours": "Mo-Th 08:30-12:00,13:30-17:00; Fr 08:30-12:00; PH off",
    },
    {
        "address": "5 rue Jules Nadi",
        "postal_code": "26100",
        "phone": "04 75 02 33 18",
        "services": ["everyday_tools", "professional_integration", "parenting"],
        "opening_hours": "Mo,Tu,Th 14:00-18:00; We 09:00-12:00,14:00-18:00",
    },
    {
        "address": "Place du Dr Maurice Rozier",
        "postal_code": "26400",
        "phone": "04 75 25 11 45",
        "website": "https://mediatheque-crest.example.org",
        "services": ["everyday_tools", "leisure", "safe_use", "solidarity_equipment"],
        "opening_hours": "Tu 14:00-18:00; We 10:00-12:30,14:00-18:00; Fr 14:00-18:00; Sa 10:00-12:30,14:00-17:00",
    },
]

# The fund's account (the debtor of transfers) and each structure's, in STRUCTURES' order: invented accounts
# whose IBANs are valid (ISO 13616 and the French RIB key), at invented account numbers.
FUND_ACCOUNT = ("Département de la Drôme – Fonds chèque numérique", "FR7630001007941234567890185", "BDFEFRPPCCT")
STRUCTURE_ACCOUNTS = [
    ("Association Fab'At", "FR7630004000010000000000136", "BNPAFRPPXXX"),
    ("ESCDD", "FR7630004000010000000000233", None),
    ("Commune de Nyons", "FR7630004000010000000000330", None),
    ("Centre social Coluche", "FR7630004000010000000000427", None),
    ("Commune de Crest", "FR7630004000010000000000524", None),
]

PRESCRIBERS = [
    ("CCAS de Valence", "ccas", "26362"),
    ("CCAS de Romans-sur-Isère", "ccas", "26281"),
    ("CAF de la Drôme – accueil de Valence", "caf", "26362"),
    ("Centre médico-social de Die", "department", "26113"),
    ("France Travail Montélimar", "france_travail", "26198"),
]

FIRST = [
    "Camille",
    "Nadia",
    "Jean",
    "Fatima",
    "Lucas",
    "Odette",
    "Mehdi",
    "Sylvie",
    "Yanis",
    "Josiane",
    "Kevin",
    "Aïcha",
    "Gérard",
    "Léa",
    "Mamadou",
    "Christiane",
    "Hugo",
    "Monique",
    "Samir",
    "Inès",
]
LAST = [
    "Martin",
    "Bernard",
    "Roux",
    "Faure",
    "Blanc",
    "Garnier",
    "Chabert",
    "Mounier",
    "Reynaud",
    "Brun",
    "Benali",
    "Diallo",
    "Pons",
    "Vidal",
    "Arnaud",
    "Chauvin",
    "Morel",
    "Girard",
    "Perrin",
    "Lambert",
]
COMMUNES = ["26362", "26362", "26281", "26113", "26220", "26108", "26198", "26235"]
PUBLICS = [
    ["senior"],
    ["rsa"],
    ["job_seeker"],
    ["caf_low_income"],
    ["ase_young_adult"],
    ["disability"],
    ["senior", "disability"],
    ["rsa", "job_seeker"],
    ["other"],
]
THEMES = [
    "messagerie",
    "démarches CAF",
    "France Connect",
    "smartphone",
    "Pôle emploi / France Travail",
    "Ameli",
    "impots.gouv",
    "visio avec la famille",
    "traitement de texte",
    "sécurité en ligne",
]


SOURCES = [
    ("Crédit Agricole Sud Rhône Alpes – parc informatique", "company", "26362"),
    ("Département de la Drôme – renouvellement des postes", "public_body", "26362"),
    ("Emmaüs Connect Valence", "association", "26362"),
    ("Don de particuliers – Die", "individual", "26113"),
]


DEMO_EMAILS: dict[str, str] = {
    Role.ADMIN: "admin@demo.cheque-numerique.fr",
    Role.PRESCRIBER: "prescriptrice@demo.cheque-numerique.fr",
    Role.STRUCTURE: "mediateur@demo.cheque-numerique.fr",
    Role.FUNDER: "financeur@demo.cheque-numerique.fr",
    Role.OBSERVATORY: "observatoire@demo.cheque-numerique.fr",
}
