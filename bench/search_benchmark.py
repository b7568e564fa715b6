#!/usr/bin/env python
"""Search latency benchmark for Wijkwijzer's one query API.

    .venv/bin/python bench/search_benchmark.py [--sizes 1000 10000 100000]
        [--backends sqlite postgres opensearch] [--queries 300]

For every size and backend a child process (this same file with ``--child``)
builds a fresh database, loads the demo directory, bulk-inserts N synthetic
Dutch services (plus English translations of a share of them), fills the
search index and times ``search.query.search_services`` on a fixed,
seed-determined mix of queries. The parent starts and stops the servers
(PostgreSQL, OpenSearch; 127.0.0.1 only), collects the children's JSON, prints
a table and writes ``bench/results/search-<timestamp>.json``.

See bench/README.md for what every number means.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import math
import os
import platform
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
DEMO_DATA = ROOT / "directory" / "demo" / "demo_data.json"
BACKENDS = ("sqlite", "postgres", "opensearch")
DEFAULT_SEED = 20250609

# The week the "open at" queries and the opening-hours exceptions fall in.
# Monday 9 June 2025 is Whit Monday (Tweede Pinksterdag), a typical closed day.
REFERENCE_MONDAY = datetime.date(2025, 6, 9)
TIME_ZONE = "Europe/Amsterdam"


# --------------------------------------------------------------------------
# Word lists. Every topic is a (Dutch, English) pair so that a translation
# says the same thing; the Dutch words are also what the text queries use.
# --------------------------------------------------------------------------

TOPICS = {
    "geldzaken-en-schulden": [
        ("schulden", "debts"),
        ("geldzaken", "money matters"),
        ("toeslagen", "allowances"),
        ("belastingaangifte", "tax returns"),
        ("rondkomen", "making ends meet"),
        ("budgetbeheer", "budgeting"),
        ("betalingsachterstanden", "payment arrears"),
    ],
    "wonen": [
        ("huurachterstand", "rent arrears"),
        ("woning zoeken", "finding a home"),
        ("burenruzie", "neighbour disputes"),
        ("energiebesparing", "saving energy"),
        ("vocht en schimmel", "damp and mould"),
        ("verhuizen", "moving house"),
    ],
    "werk-en-inkomen": [
        ("werk zoeken", "finding work"),
        ("sollicitatie", "job applications"),
        ("uitkering", "benefits"),
        ("bijstand", "social assistance"),
        ("cv schrijven", "writing a CV"),
    ],
    "taal-en-inburgering": [
        ("taalles", "language lessons"),
        ("inburgering", "civic integration"),
        ("Nederlands leren", "learning Dutch"),
        ("taalmaatje", "language buddy"),
        ("lezen en schrijven", "reading and writing"),
        ("digitale vaardigheden", "digital skills"),
    ],
    "gezondheid-en-zorg": [
        ("mantelzorg", "informal care"),
        ("eenzaamheid", "loneliness"),
        ("psychische klachten", "mental health problems"),
        ("dementie", "dementia"),
        ("gezond eten", "healthy eating"),
        ("bewegen", "exercise"),
    ],
    "opvoeden-en-gezin": [
        ("opvoeding", "parenting"),
        ("zwangerschap", "pregnancy"),
        ("pubers", "teenagers"),
        ("scheiding", "divorce"),
        ("peuters", "toddlers"),
    ],
    "onderwijs": [
        ("huiswerk", "homework"),
        ("bijles", "tutoring"),
        ("schoolkeuze", "choosing a school"),
        ("voorlezen", "reading aloud"),
        ("rekenen", "arithmetic"),
    ],
    "veiligheid": [
        ("huiselijk geweld", "domestic violence"),
        ("overlast", "nuisance"),
        ("inbraakpreventie", "burglary prevention"),
        ("oplichting", "fraud"),
        ("buurtpreventie", "neighbourhood watch"),
    ],
    "meedoen-en-ontmoeten": [
        ("buurthuis", "community centre"),
        ("koffieochtend", "coffee morning"),
        ("samen koken", "cooking together"),
        ("moestuin", "vegetable garden"),
        ("spelletjesmiddag", "games afternoon"),
    ],
    "vrijwilligerswerk": [
        ("vrijwilligerswerk", "volunteering"),
        ("vrijwilligersvacatures", "volunteer vacancies"),
        ("maatjesproject", "buddy project"),
    ],
    "juridische-hulp": [
        ("juridisch advies", "legal advice"),
        ("bezwaar maken", "lodging an objection"),
        ("formulieren", "forms"),
        ("brieven", "letters"),
        ("huurrecht", "tenancy law"),
    ],
    "crisis-en-noodhulp": [
        ("voedselbank", "food bank"),
        ("nachtopvang", "night shelter"),
        ("noodhulp", "emergency aid"),
        ("kledingbank", "clothing bank"),
        ("crisisopvang", "crisis shelter"),
    ],
}

ACTIVITIES = [
    ("Inloopspreekuur", "Walk-in hour on"),
    ("Spreekuur", "Consultation hour on"),
    ("Cursus", "Course on"),
    ("Workshop", "Workshop on"),
    ("Hulp bij", "Help with"),
    ("Advies over", "Advice on"),
    ("Informatiepunt", "Information point for"),
    ("Steunpunt", "Support point for"),
    ("Groepsbijeenkomst", "Group meeting on"),
    ("Maatje voor", "A buddy for"),
    ("Telefonisch advies over", "Telephone advice on"),
    ("Training", "Training in"),
    ("Thuisbezoek voor", "Home visit for"),
    ("Praatgroep over", "Discussion group on"),
]

AUDIENCE_SUFFIX = {
    "statushouders": (" voor statushouders", " for status holders"),
    "ouderen": (" voor ouderen", " for older people"),
    "jongeren": (" voor jongeren", " for young people"),
    "gezinnen": (" voor gezinnen", " for families"),
    "mensen-met-een-beperking": (" voor mensen met een beperking", " for people with a disability"),
    "iedereen": ("", ""),
}

HOW = [
    ("persoonlijk en gratis", "in person and free of charge"),
    ("samen met een vrijwilliger", "together with a volunteer"),
    ("in een kleine groep", "in a small group"),
    ("bij jou thuis", "at your home"),
    ("stap voor stap", "step by step"),
    ("in je eigen taal", "in your own language"),
]

EXTRAS = [
    ("Je kunt zonder afspraak langskomen.", "You can drop in without an appointment."),
    ("Bel eerst voor een afspraak.", "Please call first for an appointment."),
    ("Neem je post en brieven mee.", "Bring your post and letters."),
    ("Een tolk is mogelijk.", "An interpreter can be arranged."),
    ("Ook voor je buren en familie.", "Also for your neighbours and family."),
    ("We kijken samen wat je nodig hebt.", "Together we look at what you need."),
]

BODY_SENTENCES = [
    (
        "Een medewerker luistert naar je vraag en zoekt samen met jou naar een oplossing.",
        "A staff member listens to your question and looks for a solution together with you.",
    ),
    (
        "Neem je identiteitsbewijs mee als je voor het eerst komt.",
        "Bring your identity document when you come for the first time.",
    ),
    (
        "Als het nodig is, verwijzen we je door naar een andere organisatie in de wijk.",
        "If needed, we refer you to another organisation in the neighbourhood.",
    ),
    (
        "Vrijwilligers uit de buurt helpen mee; zij spreken verschillende talen.",
        "Volunteers from the neighbourhood help out; they speak several languages.",
    ),
    (
        "Je hoeft niets te betalen voor het eerste gesprek.",
        "The first conversation is free of charge.",
    ),
    (
        "We werken samen met de gemeente, het buurtteam en de woningcorporatie.",
        "We work together with the municipality, the neighbourhood team and the housing corporation.",
    ),
    (
        "Koffie en thee staan klaar; kinderen mogen mee.",
        "Coffee and tea are ready; children are welcome.",
    ),
    (
        "Kom je liever op een andere dag? Bel ons, dan zoeken we een moment dat past.",
        "Would another day suit you better? Call us and we will find a time that works.",
    ),
]

ACCESSIBILITY = [
    "Rolstoeltoegankelijk, lift aanwezig.",
    "Ringleiding in de spreekkamer.",
    "Invalidentoilet op de begane grond.",
    "Geen lift; de spreekkamer is op de eerste verdieping.",
    "Drempelvrije ingang en een invalidenparkeerplaats voor de deur.",
    "",
]

PLACES = ["Buurthuis", "Wijkcentrum", "Bibliotheek", "Servicepunt", "Ontmoetingsplek", "Kantoor"]
STREETS = [
    "Kanaalstraat",
    "Amsterdamsestraatweg",
    "Biltstraat",
    "Croeselaan",
    "Columbuslaan",
    "Vleutenseweg",
    "Burgemeester Reigerstraat",
    "Oudenoord",
    "Balijelaan",
    "Marnixlaan",
    "Zamenhofdreef",
    "Briljantlaan",
    "Vechtdijk",
    "Leidseweg",
    "Europaplein",
]
POSTCODE_LETTERS = "ABCEGHJKLMNPRTVWXZ"  # no SA, SD, SS can come out of these

COMMON_LANGUAGES = ["en", "ar", "tr", "uk", "pl", "fa", "prs", "ti", "so", "ru", "ro", "bg"]
RARE_LANGUAGES = ["ps", "am", "fr", "es", "pt", "de", "kmr", "dse"]
PARTNER_TYPES = [
    "gemeente",
    "woningcorporatie",
    "politie",
    "onderwijs",
    "welzijn",
    "zorg",
    "vluchtelingenwerk",
    "ondernemer",
    "bewonersorganisatie",
    "vrijwilligersorganisatie",
]
AUDIENCES = list(AUDIENCE_SUFFIX)
THEMES = list(TOPICS)

# Words that occur in the generated Dutch titles and summaries: the free-text queries.
SINGLE_WORDS = [
    "schulden",
    "toeslagen",
    "huurachterstand",
    "taalles",
    "inburgering",
    "mantelzorg",
    "eenzaamheid",
    "dementie",
    "huiswerk",
    "bijles",
    "overlast",
    "buurthuis",
    "koffieochtend",
    "vrijwilligerswerk",
    "formulieren",
    "voedselbank",
    "nachtopvang",
    "sollicitatie",
    "uitkering",
    "opvoeding",
    "spreekuur",
    "inloopspreekuur",
    "cursus",
    "workshop",
    "advies",
    "tolk",
]
MULTI_WORDS = [
    "hulp bij schulden",
    "inloopspreekuur geldzaken",
    "taalles voor ouderen",
    "advies over huurachterstand",
    "hulp bij formulieren",
    "nederlands leren",
    "cursus digitale vaardigheden",
    "maatje voor jongeren",
    "spreekuur juridisch advies",
    "huiswerk bijles",
    "werk zoeken statushouders",
    "voedselbank noodhulp",
    "mantelzorg dementie ouderen",
    "buurthuis samen koken",
    "psychische klachten jongeren",
    "bezwaar maken brieven",
    "vocht en schimmel",
    "schulden overvecht",
    "taalmaatje inburgering gezinnen",
    "workshop energiebesparing",
]


# --------------------------------------------------------------------------
# Small helpers shared by the parent and the children
# --------------------------------------------------------------------------


def log(message: str, prefix: str = "bench") -> None:
    stamp = time.strftime("%H:%M:%SZ", time.gmtime())
    print(f"{stamp} [{prefix}] {message}", file=sys.stderr, flush=True)


def percentile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default 'linear')."""
    if not sorted_values:
        return math.nan
    if len(sorted_values) == 1:
        return sorted_values[0]
    position = (len(sorted_values) - 1) * q
    low = math.floor(position)
    high = math.ceil(position)
    fraction = position - low
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * fraction


def latency_stats(values_ms: list[float]) -> dict:
    ordered = sorted(values_ms)
    if not ordered:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "mean": None, "max": None}
    return {
        "n": len(ordered),
        "p50": round(percentile(ordered, 0.50), 2),
        "p95": round(percentile(ordered, 0.95), 2),
        "p99": round(percentile(ordered, 0.99), 2),
        "mean": round(sum(ordered) / len(ordered), 2),
        "max": round(ordered[-1], 2),
    }


def demo_wijken() -> list[dict]:
    data = json.loads(DEMO_DATA.read_text(encoding="utf-8"))
    return data["wijken"]


def build_queries(count: int, seed: int) -> list[dict]:
    """The fixed query mix: ~40% free text, ~35% facets/filters, ~25% distance.

    Depends only on ``seed``, ``count`` and the demo wijken, so every backend of
    every size runs exactly the same queries in the same order.
    """
    rng = random.Random(seed)
    wijken = demo_wijken()
    n_text = round(count * 0.40)
    n_distance = round(count * 0.25)
    n_facet = count - n_text - n_distance
    specs: list[dict] = []

    for _ in range(n_text):
        text = rng.choice(SINGLE_WORDS) if rng.random() < 0.5 else rng.choice(MULTI_WORDS)
        specs.append({"kind": "text", "text": text})

    facet_names = [
        "themes",
        "audiences",
        "languages",
        "wijk",
        "partner_types",
        "costs",
        "accesses",
        "open_at",
    ]
    for _ in range(n_facet):
        spec: dict = {"kind": "facet"}
        for name in rng.sample(facet_names, rng.choice([1, 1, 2, 2, 2, 3])):
            if name == "themes":
                spec["themes"] = rng.sample(THEMES, rng.choice([1, 1, 2]))
            elif name == "audiences":
                spec["audiences"] = rng.sample(AUDIENCES, rng.choice([1, 1, 2]))
            elif name == "languages":
                pool = ["en", "ar", "tr", "uk", "pl", "fa", "ti", "so"]
                spec["languages"] = rng.sample(pool, rng.choice([1, 1, 2]))
            elif name == "wijk":
                spec["wijk"] = rng.choice(wijken)["code"]
            elif name == "partner_types":
                spec["partner_types"] = rng.sample(PARTNER_TYPES, rng.choice([1, 2]))
            elif name == "costs":
                spec["costs"] = rng.sample(["free", "contribution", "paid"], rng.choice([1, 2]))
            elif name == "accesses":
                spec["accesses"] = rng.sample(
                    ["walk_in", "appointment", "referral"], rng.choice([1, 2])
                )
            elif name == "open_at":
                day = REFERENCE_MONDAY + datetime.timedelta(days=rng.randrange(7))
                minute = rng.randrange(8 * 60, 20 * 60, 15)
                spec["open_at"] = f"{day.isoformat()}T{minute // 60:02d}:{minute % 60:02d}"
        specs.append(spec)

    for _ in range(n_distance):
        wijk = rng.choice(wijken)
        spec = {
            "kind": "distance",
            "lat": round(wijk["latitude"] + rng.uniform(-0.006, 0.006), 5),
            "lon": round(wijk["longitude"] + rng.uniform(-0.009, 0.009), 5),
            "radius_km": rng.choice([2, 5]),
            "sort": "distance",
        }
        if rng.random() < 1 / 3:
            spec["themes"] = [rng.choice(THEMES)]
        specs.append(spec)

    rng.shuffle(specs)
    # A tenth of the searches ask for the second page of results.
    for spec in specs:
        spec["page"] = 2 if rng.random() < 0.1 else 1
    return specs


# --------------------------------------------------------------------------
# The child: one backend, one size, in its own process
# --------------------------------------------------------------------------


def setup_django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "wijkwijzer.settings.dev"
    # DEBUG would make Django keep every SQL statement in memory.
    os.environ["DEBUG"] = "False"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["SEARCH_ENGINE_URL"] = ""  # the engine is switched on after loading, if at all
    import django

    django.setup()


def git_state() -> dict:
    """The commit and a fingerprint of uncommitted changes of the code being measured."""
    import hashlib

    def git(*command: str) -> str:
        try:
            return subprocess.run(  # noqa: S603
                ["git", *command],  # noqa: S607
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=30,
            ).stdout
        except (OSError, subprocess.TimeoutExpired):
            return ""

    status = git("status", "--porcelain", "--untracked-files=all")
    changed = [line[3:] for line in status.splitlines() if not line[3:].startswith("bench/")]
    diff = git("diff", "HEAD", "--", ".", ":(exclude)bench")
    return {
        "commit": git("rev-parse", "HEAD").strip(),
        "uncommitted_files": len(changed),
        "uncommitted_fingerprint": hashlib.sha1(  # noqa: S324 - a fingerprint, not security
            (diff + "\n".join(changed)).encode()
        ).hexdigest()[:12],
    }


def rss_kb(field: str, pid: int | str = "self") -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak_rss() -> bool:
    """Reset this process's VmHWM (Linux ``clear_refs`` 5); False when not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


class Generator:
    """Bulk-inserts synthetic services below the demo partners.

    Page rows go in with ``bulk_create`` on ``wagtail.models.Page`` (treebeard
    paths computed here), the ``directory_servicepage`` rows with one
    ``executemany``, relations and orderables with ``bulk_create``; the
    partners' ``numchild`` is recounted at the end.
    """

    BATCH = 2000

    def __init__(self, size: int, seed: int, en_share: float, prefix: str):
        self.size = size
        self.rng = random.Random(seed)
        self.en_share = en_share
        self.prefix = prefix

    def run(self) -> dict:
        from django.contrib.contenttypes.models import ContentType
        from django.utils import timezone

        from wagtail.models import Locale, Page

        from directory.models import (
            Audience,
            Language,
            Municipality,
            PartnerPage,
            ServicePage,
            Theme,
            WijkPage,
        )

        self.nl = Locale.objects.get(language_code="nl")
        self.en = Locale.objects.get_or_create(language_code="en")[0]
        self.partners = list(PartnerPage.objects.filter(locale=self.nl).order_by("path"))
        self.wijken = list(WijkPage.objects.filter(locale=self.nl).order_by("cbs_code"))
        self.themes = {t.slug: t.pk for t in Theme.objects.filter(locale=self.nl)}
        self.audiences = {a.slug: a.pk for a in Audience.objects.filter(locale=self.nl)}
        self.languages = {language.code: language.pk for language in Language.objects.all()}
        self.municipality = Municipality.objects.get(cbs_code="GM0344")
        self.content_type_id = ContentType.objects.get_for_model(ServicePage).pk
        self.now = timezone.now()
        self.wijk_postcodes = {w.pk: w.postcode_list for w in self.wijken}

        started = time.perf_counter()
        repaired = self._repair_numchild()
        if repaired:
            log(
                f"WARNING: {len(repaired)} pages had a wrong numchild after load_demo "
                f"(first: {repaired[0]}); recounted so that add_child works",
                self.prefix,
            )
        self.en_partners = self._english_tree()
        tree_seconds = time.perf_counter() - started

        # The next free child step under every parent.
        self.next_step: dict[int, int] = {}
        for parent in [*self.partners, *self.en_partners.values()]:
            last = Page.objects.filter(
                path__startswith=parent.path, depth=parent.depth + 1
            ).order_by("-path")
            last_path = last.values_list("path", flat=True).first()
            self.next_step[parent.pk] = (
                (Page._str2int(last_path[-Page.steplen :]) + 1) if last_path else 1
            )

        created = {"nl": 0, "en": 0}
        for start in range(0, self.size, self.BATCH):
            count = min(self.BATCH, self.size - start)
            nl, en = self._batch(start, count)
            created["nl"] += nl
            created["en"] += en
            if (start // self.BATCH) % 10 == 9 or start + count >= self.size:
                log(f"generated {start + count}/{self.size} services", self.prefix)

        for parent in [*self.partners, *self.en_partners.values()]:
            children = Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
            Page.objects.filter(pk=parent.pk).update(numchild=children.count())

        # Bulk inserts skip ServicePage.save(), which keeps the partner type and
        # (through directory.changes) the database search's rows and their values.
        from directory.models.facets import refresh_facets

        started = time.perf_counter()
        refresh_facets(ServicePage.objects.all())
        facets_seconds = time.perf_counter() - started
        log(
            f"partner types and search rows of every service in {facets_seconds:.1f} s", self.prefix
        )
        return {
            "created": created,
            "facets_s": round(facets_seconds, 3),
            "english_tree_s": round(tree_seconds, 3),
            "numchild_repaired": len(repaired),
            "numchild_repaired_examples": repaired[:10],
        }

    @staticmethod
    def _repair_numchild() -> list[dict]:
        """Recount ``numchild`` where it disagrees with the tree.

        treebeard's ``add_child`` (used by ``copy_for_translation``) trusts
        ``numchild``: a parent that says 0 but has children gets a new child at a
        path that is taken. Returns what was wrong.
        """
        from wagtail.models import Page

        repaired = []
        for page in Page.objects.order_by("path").only("pk", "path", "depth", "numchild", "slug"):
            actual = Page.objects.filter(path__startswith=page.path, depth=page.depth + 1).count()
            if actual != page.numchild:
                Page.objects.filter(pk=page.pk).update(numchild=actual)
                repaired.append(
                    {
                        "id": page.pk,
                        "slug": page.slug,
                        "locale_id": page.locale_id,
                        "numchild": page.numchild,
                        "children": actual,
                    }
                )
        return repaired

    def _english_tree(self) -> dict:
        """English copies of home, the partner index and every partner, published."""
        from wagtail.models import Page

        from directory.models import PartnerPage

        translations = {}
        for partner in self.partners:
            translation = partner.get_translation_or_none(self.en)
            if translation is None:
                translation = partner.copy_for_translation(self.en, copy_parents=True)
            translations[partner.pk] = translation.pk
        for page in Page.objects.filter(locale=self.en, live=False).order_by("depth"):
            page.specific.save_revision().publish()
        return {
            pk: PartnerPage.objects.get(pk=translation_pk)
            for pk, translation_pk in translations.items()
        }

    def _path(self, parent) -> str:
        from wagtail.models import Page

        step = self.next_step[parent.pk]
        self.next_step[parent.pk] = step + 1
        return Page._get_path(parent.path, parent.depth + 1, step)

    def _service(self, index: int) -> dict:
        """Everything about one synthetic service, in Dutch and English."""
        rng = self.rng
        partner = rng.choice(self.partners)
        themes = rng.sample(THEMES, rng.choice([1, 1, 1, 2, 2, 3]))
        audiences = rng.sample(AUDIENCES, rng.choice([1, 1, 2, 2, 3]))
        topic_nl, topic_en = rng.choice(TOPICS[themes[0]])
        topic2_nl, topic2_en = rng.choice(TOPICS[rng.choice(themes)])
        act_nl, act_en = rng.choice(ACTIVITIES)
        suffix_nl, suffix_en = AUDIENCE_SUFFIX[audiences[0]]
        home_wijk = rng.choice(self.wijken)
        in_wijk = rng.random() < 0.3
        title_nl = f"{act_nl} {topic_nl}{suffix_nl}" + (f" in {home_wijk.title}" if in_wijk else "")
        title_en = f"{act_en} {topic_en}{suffix_en}" + (f" in {home_wijk.title}" if in_wijk else "")
        title_nl = title_nl[0].upper() + title_nl[1:]

        how_nl, how_en = rng.choice(HOW)
        extra_nl, extra_en = rng.choice(EXTRAS)
        template = rng.randrange(3)
        if template == 0:
            summary_nl = f"Heb je vragen over {topic_nl}? Wij helpen je {how_nl}. {extra_nl}"
            summary_en = f"Do you have questions about {topic_en}? We help you {how_en}. {extra_en}"
        elif template == 1:
            summary_nl = f"{act_nl} {topic_nl} in {home_wijk.title}. {extra_nl}"
            summary_en = f"{act_en} {topic_en} in {home_wijk.title}. {extra_en}"
        else:
            summary_nl = f"Wij helpen bij {topic_nl} en {topic2_nl}, {how_nl}. {extra_nl}"
            summary_en = f"We help with {topic_en} and {topic2_en}, {how_en}. {extra_en}"
        sentences = rng.sample(BODY_SENTENCES, rng.choice([2, 3, 4]))
        body_nl = "".join(
            f"<p>{part}</p>"
            for part in (
                f"{act_nl} {topic_nl}: {how_nl}.",
                " ".join(s[0] for s in sentences),
                f"Ook voor vragen over {topic2_nl}.",
            )
        )
        body_en = "".join(
            f"<p>{part}</p>"
            for part in (
                f"{act_en} {topic_en}: {how_en}.",
                " ".join(s[1] for s in sentences),
                f"Also for questions about {topic2_en}.",
            )
        )

        whole_municipality = rng.random() < 0.12
        served = [] if whole_municipality else [home_wijk.pk]
        if not whole_municipality:
            for wijk in rng.sample(self.wijken, rng.choice([0, 0, 1, 2])):
                if wijk.pk not in served:
                    served.append(wijk.pk)

        languages = ["nl"] if rng.random() < 0.95 else []
        extra_languages = rng.choice([0, 0, 1, 1, 2, 3])
        for _ in range(extra_languages):
            pool = COMMON_LANGUAGES if rng.random() < 0.85 else RARE_LANGUAGES
            code = rng.choice(pool)
            if code not in languages:
                languages.append(code)
        if not languages:
            languages = [rng.choice(COMMON_LANGUAGES)]

        cost = rng.choices(["free", "contribution", "paid"], weights=[70, 20, 10])[0]
        cost_note = {"free": "", "contribution": "€ 2,50 per keer", "paid": "€ 15 per maand"}[cost]
        access = rng.choices(["walk_in", "appointment", "referral"], weights=[45, 45, 10])[0]
        access_note = {
            "walk_in": "",
            "appointment": "Maak een afspraak via de telefoon.",
            "referral": "Je huisarts of het buurtteam verwijst je door.",
        }[access]

        slug = f"bench-{index:06d}"
        phone = f"+3130{rng.randrange(2000000, 8999999)}" if rng.random() < 0.85 else ""
        email = f"{slug}@{partner.slug}.voorbeeld.example" if rng.random() < 0.7 else ""
        website = (
            f"https://{partner.slug}.voorbeeld.example/{slug}"
            if rng.random() < 0.5 or not (phone or email)
            else ""
        )
        # 06-1 to 06-5: 06-0, 06-7 and 06-9 are no mobile numbers, and a page
        # with one cannot be published again.
        whatsapp = f"+316{rng.randrange(10000000, 59999999)}" if rng.random() < 0.2 else ""

        locations = []
        location_wijken = [home_wijk] + ([rng.choice(self.wijken)] if rng.random() < 0.3 else [])
        for order, wijk in enumerate(location_wijken):
            pc4 = rng.choice(self.wijk_postcodes[wijk.pk])
            locations.append(
                {
                    "sort_order": order,
                    "name": f"{rng.choice(PLACES)} {wijk.title} (voorbeeld)",
                    "address": f"{rng.choice(STREETS)} {rng.randrange(1, 250)}",
                    "postcode": f"{pc4} {rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}",
                    "city": "Utrecht",
                    "latitude": round(wijk.latitude + rng.uniform(-0.012, 0.012), 6),
                    "longitude": round(wijk.longitude + rng.uniform(-0.018, 0.018), 6),
                }
            )

        hours = []
        weekdays = sorted(rng.sample(range(5), rng.choice([1, 2, 3, 4, 5])))
        if rng.random() < 0.15:
            weekdays.append(5)
        pattern = rng.choice(["morning", "afternoon", "day", "split", "evening"])
        slots = {
            "morning": [("09:00", "12:30")],
            "afternoon": [("13:30", "17:00")],
            "day": [("09:00", "17:00")],
            "split": [("09:00", "12:30"), ("13:30", "17:00")],
            "evening": [("19:00", "21:30")],
        }[pattern]
        for day in weekdays:
            for opens, closes in slots:
                hours.append((day, opens, closes))

        exceptions = []
        if rng.random() < 0.3:
            exceptions.append(
                {
                    "start_date": REFERENCE_MONDAY,
                    "end_date": REFERENCE_MONDAY,
                    "closed": True,
                    "opens": None,
                    "closes": None,
                    "note": "Tweede Pinksterdag",
                }
            )
        if rng.random() < 0.05:
            day = REFERENCE_MONDAY + datetime.timedelta(days=rng.randrange(1, 5))
            exceptions.append(
                {
                    "start_date": day,
                    "end_date": day,
                    "closed": False,
                    "opens": "10:00",
                    "closes": "12:00",
                    "note": "Korter open",
                }
            )

        return {
            "partner": partner,
            "slug": slug,
            "nl": {"title": title_nl, "summary": summary_nl[:200], "body": body_nl},
            "en": {"title": title_en, "summary": summary_en[:200], "body": body_en},
            "translate": rng.random() < self.en_share,
            "status": "temporarily_closed" if rng.random() < 0.04 else "active",
            "themes": themes,
            "audiences": audiences,
            "languages": languages,
            "wijken": served,
            "whole_municipality": whole_municipality,
            "cost": cost,
            "cost_note": cost_note,
            "access": access,
            "access_note": access_note,
            "phone": phone,
            "email": email,
            "whatsapp": whatsapp,
            "website": website,
            "accessibility": rng.choice(ACCESSIBILITY),
            "last_verified": datetime.date(2024, 1, 1)
            + datetime.timedelta(days=rng.randrange(0, 517)),
            "locations": locations,
            "hours": hours,
            "exceptions": exceptions,
        }

    def _versions(self, service: dict) -> list[tuple]:
        """(language, parent page, locale) of every page of ``service``: the
        Dutch one and, for a share, the English translation."""
        versions = [("nl", service["partner"], self.nl)]
        if service["translate"]:
            versions.append(("en", self.en_partners[service["partner"].pk], self.en))
        return versions

    def _municipality_id(self, service: dict) -> int:
        """The municipality ``service`` serves whole, when it does."""
        return self.municipality.pk

    def _batch(self, start: int, count: int) -> tuple[int, int]:
        import uuid

        from django.db import connection, transaction

        from wagtail.models import Page

        from directory.models import (
            OpeningHours,
            OpeningHoursException,
            ServiceLocation,
            ServicePage,
        )

        services = [self._service(start + i) for i in range(count)]
        pages: list[Page] = []
        rows: list[tuple[dict, str, Page]] = []  # (service, language, page)
        for service in services:
            translation_key = uuid.uuid4()
            for language, parent, locale in self._versions(service):
                text = service[language]
                page = Page(
                    path=self._path(parent),
                    depth=parent.depth + 1,
                    numchild=0,
                    translation_key=translation_key,
                    locale_id=locale.pk,
                    live=True,
                    has_unpublished_changes=False,
                    first_published_at=self.now,
                    last_published_at=self.now,
                    expired=False,
                    locked=False,
                    title=text["title"],
                    draft_title=text["title"],
                    slug=service["slug"],
                    content_type_id=self.content_type_id,
                    url_path=f"{parent.url_path}{service['slug']}/",
                    show_in_menus=False,
                    seo_title="",
                    search_description="",
                )
                pages.append(page)
                rows.append((service, language, page))

        from directory.collation import title_key

        fields = [f for f in ServicePage._meta.local_concrete_fields]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        table = connection.ops.quote_name(ServicePage._meta.db_table)
        # Table and column names come from the model, values are parameters.
        insert_sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608

        with transaction.atomic():
            Page.objects.bulk_create(pages, batch_size=500)
            child_rows = []
            themes, audiences, languages, wijken, municipalities = [], [], [], [], []
            locations, hours, exceptions = [], [], []
            for service, language, page in rows:
                values = {
                    "page_ptr_id": page.pk,
                    "summary": service[language]["summary"],
                    "body": service[language]["body"],
                    "status": service["status"],
                    "cost": service["cost"],
                    "cost_note": service["cost_note"],
                    "access": service["access"],
                    "access_note": service["access_note"],
                    "phone": service["phone"],
                    "email": service["email"],
                    "whatsapp": service["whatsapp"],
                    "website": service["website"],
                    "accessibility": service["accessibility"],
                    "last_verified": connection.ops.adapt_datefield_value(service["last_verified"]),
                    # Filled in by refresh_facets() once every relation is written.
                    "partner_type": "",
                    "partner_page_id": None,
                    "title_key": title_key(service[language]["title"]),
                }
                child_rows.append(tuple(values[f.attname] for f in fields))
                pk = page.pk
                # Translations keep the source's relations, as copy_for_translation does.
                themes += [
                    ServicePage.themes.through(servicepage_id=pk, theme_id=self.themes[s])
                    for s in service["themes"]
                ]
                audiences += [
                    ServicePage.audiences.through(servicepage_id=pk, audience_id=self.audiences[s])
                    for s in service["audiences"]
                ]
                languages += [
                    ServicePage.languages.through(servicepage_id=pk, language_id=self.languages[c])
                    for c in service["languages"]
                ]
                wijken += [
                    ServicePage.wijken.through(servicepage_id=pk, wijkpage_id=w)
                    for w in service["wijken"]
                ]
                if service["whole_municipality"]:
                    municipalities.append(
                        ServicePage.municipalities.through(
                            servicepage_id=pk,
                            municipality_id=self._municipality_id(service),
                        )
                    )
                locations += [ServiceLocation(page_id=pk, **loc) for loc in service["locations"]]
                hours += [
                    OpeningHours(
                        page_id=pk,
                        sort_order=order,
                        weekday=day,
                        opens=datetime.time.fromisoformat(opens),
                        closes=datetime.time.fromisoformat(closes),
                    )
                    for order, (day, opens, closes) in enumerate(service["hours"])
                ]
                exceptions += [
                    OpeningHoursException(
                        page_id=pk,
                        sort_order=order,
                        start_date=e["start_date"],
                        end_date=e["end_date"],
                        closed=e["closed"],
                        opens=datetime.time.fromisoformat(e["opens"]) if e["opens"] else None,
                        closes=datetime.time.fromisoformat(e["closes"]) if e["closes"] else None,
                        note=e["note"],
                    )
                    for order, e in enumerate(service["exceptions"])
                ]
            with connection.cursor() as cursor:
                for offset in range(0, len(child_rows), 500):
                    cursor.executemany(insert_sql, child_rows[offset : offset + 500])
            for model_rows in (themes, audiences, languages, wijken, municipalities):
                if model_rows:
                    type(model_rows[0]).objects.bulk_create(model_rows, batch_size=1000)
            ServiceLocation.objects.bulk_create(locations, batch_size=1000)
            OpeningHours.objects.bulk_create(hours, batch_size=1000)
            OpeningHoursException.objects.bulk_create(exceptions, batch_size=1000)
        english = sum(1 for _service, language, _page in rows if language == "en")
        return len(rows) - english, english


def to_service_query(spec: dict):
    from zoneinfo import ZoneInfo

    from search.geocoding import Point
    from search.query import ServiceQuery

    open_at = None
    if spec.get("open_at"):
        open_at = datetime.datetime.fromisoformat(spec["open_at"]).replace(
            tzinfo=ZoneInfo(TIME_ZONE)
        )
    point = Point(spec["lat"], spec["lon"]) if "lat" in spec else None
    return ServiceQuery(
        text=spec.get("text", ""),
        themes=tuple(spec.get("themes", ())),
        audiences=tuple(spec.get("audiences", ())),
        languages=tuple(spec.get("languages", ())),
        partner_types=tuple(spec.get("partner_types", ())),
        costs=tuple(spec.get("costs", ())),
        accesses=tuple(spec.get("accesses", ())),
        wijk=spec.get("wijk", ""),
        open_at=open_at,
        point=point,
        radius_km=spec.get("radius_km"),
        sort=spec.get("sort", ""),
    )


class DegradedError(RuntimeError):
    pass


def run_query(spec: dict, locale, expected_backend: str):
    from search.query import search_services

    query = to_service_query(spec)
    started = time.perf_counter()
    results = search_services(query, locale, spec.get("page", 1), per_page=20)
    # Touch every hit so lazily evaluated parts are inside the timing.
    hits = list(results.page)
    elapsed_ms = (time.perf_counter() - started) * 1000
    if results.backend != expected_backend or results.degraded:
        raise DegradedError(
            f"query {spec} answered by backend={results.backend!r} degraded={results.degraded} "
            f"(expected {expected_backend!r}, not degraded)"
        )
    return elapsed_ms, results, hits


def child_main(args) -> int:
    prefix = f"{args.child} {args.size}"
    out = Path(args.child_out)
    result: dict = {
        "backend": args.child,
        "size": args.size,
        "seed": args.seed,
        "ok": False,
        "timings_s": {},
    }
    try:
        _child_run(args, result, prefix)
        result["ok"] = True
    except BaseException as error:  # noqa: BLE001 - reported to the parent, then re-raised
        result["error"] = f"{type(error).__name__}: {error}"
        result["traceback"] = traceback.format_exc()
        log(f"FAILED: {result['error']}", prefix)
    finally:
        result["memory"] = result.get("memory", {})
        result["memory"]["py_peak_rss_mb"] = round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        )
        out.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    return 0 if result["ok"] else 1


def _child_run(args, result: dict, prefix: str) -> None:
    started_all = time.perf_counter()
    setup_django(args.child_db_url)

    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection

    from wagtail.models import Locale

    from directory.demo.loader import load_demo
    from directory.models import ServicePage

    engine_mode = args.child == "opensearch"
    result["code"] = git_state()
    settings.SEARCH_ENGINE["URL"] = ""
    result["database"] = {
        "vendor": connection.vendor,
        "url": args.child_db_url,
        "reused_from": args.child_reuse_db or None,
    }

    timings = result["timings_s"]
    if args.child_reuse_db:
        log(f"reusing the {args.child_reuse_db} database {args.child_db_url}", prefix)
        gen = json.loads(Path(args.child_reuse_db_result).read_text())["generation"]
        result["generation"] = {**gen, "reused": True}
    else:
        log(f"migrate + load_demo on {connection.vendor}", prefix)
        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        load_demo()
        timings["setup"] = round(time.perf_counter() - started, 3)

        log(f"generating {args.size} services (+{args.en_share:.0%} English)", prefix)
        started = time.perf_counter()
        generation = Generator(args.size, args.seed, args.en_share, prefix).run()
        timings["generate"] = round(time.perf_counter() - started, 3)
        generation["seconds"] = timings["generate"]
        result["generation"] = generation

        if not engine_mode:
            log("filling Wagtail's database search index (update_index)", prefix)
            started = time.perf_counter()
            call_command("update_index", verbosity=0)
            seconds = time.perf_counter() - started
            timings["update_index"] = round(seconds, 3)
            from wagtail.search.models import IndexEntry

            entries = IndexEntry.objects.count()
            result["index"] = {
                "kind": "wagtail update_index (database search backend, all indexed models)",
                "seconds": round(seconds, 3),
                "entries": entries,
                "entries_per_s": round(entries / seconds, 1) if seconds else None,
            }

    nl = Locale.objects.get(language_code="nl")
    en = Locale.objects.get(language_code="en")
    live = ServicePage.objects.live().public()
    counts = {
        code: live.filter(locale__language_code=code).count()
        for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES
    }
    result["services_live"] = counts
    result["versions"] = {}
    if connection.vendor == "sqlite":
        import sqlite3

        result["versions"]["sqlite"] = sqlite3.sqlite_version
        db_file = settings.DATABASES["default"]["NAME"]
        result["database"]["size_mb"] = round(os.path.getsize(db_file) / 2**20, 1)
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            result["versions"]["postgresql"] = cursor.fetchone()[0]
            cursor.execute("SELECT pg_database_size(current_database())")
            result["database"]["size_mb"] = round(cursor.fetchone()[0] / 2**20, 1)

    expected_backend = "database"
    if engine_mode:
        from search.engine.client import Engine
        from search.engine.indexing import rebuild

        settings.SEARCH_ENGINE["URL"] = args.child_engine_url
        engine = Engine(for_indexing=True)
        result["versions"]["opensearch"] = engine.call("info")["version"]["number"]
        log("full reindex into OpenSearch", prefix)
        started = time.perf_counter()
        indexed = rebuild(engine)
        seconds = time.perf_counter() - started
        timings["full_reindex"] = round(seconds, 3)
        documents = sum(indexed.values())
        result["index"] = {
            "kind": "opensearch full reindex (search.engine.indexing.rebuild)",
            "seconds": round(seconds, 3),
            "documents": documents,
            "per_language": indexed,
            "docs_per_s": round(documents / seconds, 1) if seconds else None,
        }
        if any(indexed.get(code, 0) != n for code, n in counts.items()):
            raise RuntimeError(f"reindex wrote {indexed}, but the database has {counts} live")
        try:
            stats = engine.call("cat.indices", format="json", bytes="b")
            result["index"]["store_mb"] = round(
                sum(int(row.get("store.size") or 0) for row in stats) / 2**20, 1
            )
        except Exception as error:  # noqa: BLE001 - a nice-to-have number
            result["index"]["store_mb_error"] = str(error)
        expected_backend = "engine"
    cache.clear()

    # Sanity checks, not timed: every Dutch service is findable and the
    # English translations are searchable in their own language.
    from search.query import ServiceQuery, search_services

    everything = search_services(ServiceQuery(), nl, 1, per_page=20)
    english = search_services(ServiceQuery(text="debts"), en, 1, per_page=20)
    result["sanity"] = {
        "empty_query_total_nl": everything.total,
        "expected_total_nl": counts["nl"],
        "english_debts_total": english.total,
        "backend": everything.backend,
    }
    for check in (everything, english):
        if check.backend != expected_backend or check.degraded:
            raise DegradedError(
                f"sanity query answered by {check.backend} degraded={check.degraded}"
            )
    if everything.total != counts["nl"]:
        log(
            f"WARNING: empty query found {everything.total}, database has {counts['nl']} live nl",
            prefix,
        )

    # Warm-up: queries of the same kinds, from another seed, not recorded. A
    # search engine in service has run its hot code paths many times (the JVM
    # compiles them only then); 20 queries after a fresh start measured the
    # compiler more than the search. The time limit keeps slow database runs short.
    started = time.monotonic()
    warm = 0
    for spec in build_queries(args.warmup, args.seed + 1):
        if time.monotonic() - started > args.warmup_seconds:
            break
        run_query(spec, nl, expected_backend)
        warm += 1
    result["warmup"] = {"queries": warm, "seconds": round(time.monotonic() - started, 1)}
    log(f"warmed up with {warm} queries in {result['warmup']['seconds']} s", prefix)

    specs = build_queries(args.queries, args.seed)
    log(f"measuring {len(specs)} queries", prefix)
    search_peak_measurable = reset_peak_rss()
    records = []
    deadline = time.monotonic() + args.max_query_seconds
    truncated = False
    for number, spec in enumerate(specs):
        if time.monotonic() > deadline:
            truncated = True
            log(
                f"query budget of {args.max_query_seconds} s used up after {number} queries", prefix
            )
            break
        try:
            elapsed_ms, found, hits = run_query(spec, nl, expected_backend)
        except DegradedError:
            raise
        except Exception as error:  # noqa: BLE001 - recorded per query, shown in the report
            records.append(
                {"i": number, "kind": spec["kind"], "error": f"{type(error).__name__}: {error}"}
            )
            log(f"query {number} {spec} failed: {error}", prefix)
            continue
        records.append(
            {
                "i": number,
                "kind": spec["kind"],
                "ms": round(elapsed_ms, 3),
                "total": found.total,
                "hits": len(hits),
                "some_words": found.matched_some_words,
            }
        )
        if (number + 1) % 100 == 0:
            log(f"{number + 1}/{len(specs)} queries", prefix)

    ok = [r for r in records if "ms" in r]
    result["latency_ms"] = {"all": latency_stats([r["ms"] for r in ok])}
    for kind in ("text", "facet", "distance"):
        result["latency_ms"][kind] = latency_stats([r["ms"] for r in ok if r["kind"] == kind])
    result["queries"] = {
        "planned": len(specs),
        "measured": len(ok),
        "errors": len(records) - len(ok),
        "truncated": truncated,
        "some_words_fallbacks": sum(1 for r in ok if r.get("some_words")),
        "records": records,
    }
    result["memory"] = {
        "py_search_peak_rss_mb": round((rss_kb("VmHWM") or 0) / 1024, 1)
        if search_peak_measurable
        else None,
    }
    timings["queries"] = round(sum(r["ms"] for r in ok) / 1000, 3)
    timings["child_total"] = round(time.perf_counter() - started_all, 3)
    log(
        "p50 {p50} ms, p95 {p95} ms, p99 {p99} ms, mean {mean} ms".format(
            **result["latency_ms"]["all"]
        ),
        prefix,
    )


# --------------------------------------------------------------------------
# The parent: servers, children, report
# --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_bindir() -> Path | None:
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: [int(x) for x in p.parent.name.split(".") if x.isdigit()],
    )
    candidates = [c for c in candidates if (c / "initdb").exists()]
    return candidates[-1] if candidates else None


class PostgresServer:
    """A throw-away PostgreSQL on 127.0.0.1, started like scripts/with-postgres."""

    def __init__(self):
        self.bindir = postgres_bindir()
        if not self.bindir:
            raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
        self.dir: Path | None = None
        self.port = free_port()
        self.run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *command: str) -> None:
        subprocess.run([*self.run_as, *command], check=True, capture_output=True, timeout=120)  # noqa: S603

    def start(self) -> PostgresServer:
        self.dir = Path(tempfile.mkdtemp(prefix="wijkwijzer-bench-pg-"))
        if self.run_as:
            import pwd

            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
        data = self.dir / "data"
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "wijkwijzer",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(self.dir / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )
        self._run(
            str(self.bindir / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "wijkwijzer",
            "wijkwijzer",
        )
        return self

    @property
    def url(self) -> str:
        return f"postgres://wijkwijzer@127.0.0.1:{self.port}/wijkwijzer"

    def version(self) -> str:
        result = subprocess.run(  # noqa: S603
            [str(self.bindir / "postgres"), "--version"], capture_output=True, text=True
        )
        return result.stdout.strip()

    def stop(self) -> None:
        if self.dir is None:
            return
        if (self.dir / "data" / "postmaster.pid").exists():
            try:
                self._run(
                    str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "stop"
                )
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
                with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
                    self._run(
                        str(self.bindir / "pg_ctl"),
                        "-D",
                        str(self.dir / "data"),
                        "-m",
                        "immediate",
                        "stop",
                    )
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None


def load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages: other work on the machine (the
    benchmark runs one query at a time, so a load above 1 is someone else's)."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def machine_description() -> dict:
    import sqlite3

    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_total_mb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_total_mb = round(int(line.split()[1]) / 1024)
    except OSError:
        pass
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()  # noqa: S607
    description = {
        "nproc": int(nproc) if nproc.isdigit() else os.cpu_count(),
        "cpu_model": cpu_model,
        "mem_total_mb": mem_total_mb,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }
    bindir = postgres_bindir()
    if bindir:
        description["postgresql"] = subprocess.run(  # noqa: S603
            [str(bindir / "postgres"), "--version"], capture_output=True, text=True
        ).stdout.strip()
    try:
        java = subprocess.run(["java", "-version"], capture_output=True, text=True)  # noqa: S607
        description["java"] = (java.stderr or java.stdout).splitlines()[0]
    except (OSError, IndexError):
        pass
    with contextlib.suppress(Exception):
        from importlib.metadata import version

        description["django"] = version("django")
        description["wagtail"] = version("wagtail")
    return description


class Interrupted(Exception):
    pass


def _on_signal(signum, _frame):
    raise Interrupted(f"signal {signum}")


def run_child(args, backend: str, size: int, workdir: Path, db_url: str, **extra) -> dict:
    out = workdir / f"{backend}-{size}.json"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        backend,
        "--size",
        str(size),
        "--child-out",
        str(out),
        "--child-db-url",
        db_url,
        "--queries",
        str(args.queries),
        "--warmup",
        str(args.warmup),
        "--warmup-seconds",
        str(args.warmup_seconds),
        "--seed",
        str(args.seed),
        "--en-share",
        str(args.en_share),
        "--max-query-seconds",
        str(args.max_query_seconds),
    ]
    for key, value in extra.items():
        if value:
            command += [f"--child-{key.replace('_', '-')}", str(value)]
    env = {k: v for k, v in os.environ.items() if k not in ("SEARCH_ENGINE_URL",)}
    load_at_start = load_average()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    try:
        returncode = process.wait(timeout=args.child_timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        returncode = None
    except BaseException:
        # Interrupted: the child's process group goes down with us.
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        raise
    wall = time.perf_counter() - started
    if out.exists():
        result = json.loads(out.read_text(encoding="utf-8"))
    else:
        result = {"backend": backend, "size": size, "ok": False}
    result["wall_s"] = round(wall, 1)
    result["load_average"] = {"start": load_at_start, "end": load_average()}
    result["returncode"] = returncode
    if returncode is None:
        result["ok"] = False
        result["error"] = f"child timed out after {args.child_timeout} s and was killed"
    elif returncode and result.get("ok"):
        result["ok"] = False
        result["error"] = f"child exited with {returncode}"
    return result


def parent_main(args) -> int:
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    started_at = datetime.datetime.now().astimezone()
    started = time.perf_counter()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="wijkwijzer-bench-"))
    machine = machine_description()
    machine["load_average_start"] = load_average()
    code_at_start = git_state()
    log(f"machine: {machine['nproc']} CPU(s) {machine['cpu_model']}, {machine['mem_total_mb']} MB")
    log(f"work folder {workdir}")
    runs: list[dict] = []
    servers: list = []
    try:
        for size in args.sizes:
            sqlite_result = None
            for backend in args.backends:
                log(f"=== {backend}, {size} services ===")
                if backend == "sqlite":
                    db = workdir / f"sqlite-{size}.db"
                    result = run_child(args, backend, size, workdir, f"sqlite:///{db}")
                    if result.get("ok"):
                        sqlite_result = (db, workdir / f"{backend}-{size}.json")
                elif backend == "postgres":
                    server = PostgresServer()
                    servers.append(server)
                    try:
                        server.start()
                        log(f"PostgreSQL on 127.0.0.1:{server.port} in {server.dir}")
                        result = run_child(args, backend, size, workdir, server.url)
                    except subprocess.CalledProcessError as error:
                        result = {
                            "backend": backend,
                            "size": size,
                            "ok": False,
                            "error": f"PostgreSQL did not start: {error} {error.stderr!r}",
                        }
                    finally:
                        server.stop()
                        servers.remove(server)
                else:
                    result = run_opensearch(args, size, workdir, sqlite_result, servers)
                runs.append(result)
                status = "ok" if result.get("ok") else f"FAILED: {result.get('error')}"
                log(f"=== {backend}, {size}: {status} ({result.get('wall_s')} s) ===")
    except (Interrupted, KeyboardInterrupt) as error:
        log(f"interrupted ({error}); stopping what was started")
        runs.append({"ok": False, "error": f"interrupted: {error}"})
    finally:
        for server in servers:
            try:
                server.stop()
            except Exception as error:  # noqa: BLE001
                log(f"could not stop {server}: {error}")
        shutil.rmtree(workdir, ignore_errors=True)

    duration = time.perf_counter() - started
    machine["load_average_end"] = load_average()
    for run in runs:
        for key in ("postgresql", "opensearch"):
            if key in run.get("versions", {}):
                machine[f"{key}_server"] = run["versions"][key]
    report = {
        "started": started_at.isoformat(timespec="seconds"),
        "duration_s": round(duration, 1),
        "arguments": {
            "sizes": args.sizes,
            "backends": args.backends,
            "queries": args.queries,
            "seed": args.seed,
            "en_share": args.en_share,
            "opensearch_heap": args.opensearch_heap,
            "max_query_seconds": args.max_query_seconds,
        },
        "machine": machine,
        "code": {"at_start": code_at_start, "at_end": git_state()},
        "query_mix": build_queries(args.queries, args.seed),
        "agreement": agreement(runs),
        "runs": runs,
    }
    path = RESULTS_DIR / f"search-{started_at.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print(render_table(report))
    print(f"\nJSON: {path}")
    print(f"Total time: {duration / 60:.1f} min")
    return 0 if runs and all(run.get("ok") for run in runs) else 1


def run_opensearch(args, size: int, workdir: Path, sqlite_result, servers: list) -> dict:
    sys.path.insert(0, str(ROOT))
    from tests.engine.node import OpenSearchNode

    if sqlite_result:
        db, reuse_json = sqlite_result
        db_url = f"sqlite:///{db}"
        extra = {"reuse_db": "sqlite", "reuse_db_result": reuse_json}
    else:
        db_url = f"sqlite:///{workdir / f'opensearch-{size}.db'}"
        extra = {}
    node = OpenSearchNode(heap=args.opensearch_heap)
    servers.append(node)
    try:
        log(f"starting OpenSearch (heap {args.opensearch_heap}) on {node.url}")
        started = time.perf_counter()
        node.start()
        startup = round(time.perf_counter() - started, 1)
        result = run_child(args, "opensearch", size, workdir, db_url, engine_url=node.url, **extra)
        result.setdefault("timings_s", {})["opensearch_startup"] = startup
        pid = node.process.pid if node.process else None
        if pid:
            result.setdefault("memory", {})["jvm_peak_rss_mb"] = round(
                (rss_kb("VmHWM", pid) or 0) / 1024, 1
            )
            result["memory"]["jvm_rss_at_end_mb"] = round((rss_kb("VmRSS", pid) or 0) / 1024, 1)
        result["database"] = {
            **result.get("database", {}),
            "note": "SQLite database of the same size"
            + (
                " (the sqlite run's file, reused)" if sqlite_result else " (generated for this run)"
            ),
        }
        return result
    except Interrupted:
        raise
    except Exception as error:  # noqa: BLE001 - the node failed to start
        return {
            "backend": "opensearch",
            "size": size,
            "ok": False,
            "error": f"{type(error).__name__}: {error}",
        }
    finally:
        node.stop()
        servers.remove(node)


def agreement(runs: list[dict]) -> dict:
    """How often backends of the same size report the same total for a query."""
    by_size: dict[int, dict[str, dict]] = {}
    for run in runs:
        if run.get("ok") and run.get("queries"):
            totals = {r["i"]: r["total"] for r in run["queries"]["records"] if "total" in r}
            by_size.setdefault(run["size"], {})[run["backend"]] = {
                "totals": totals,
                "kinds": {r["i"]: r["kind"] for r in run["queries"]["records"]},
            }
    report: dict = {}
    for size, backends in by_size.items():
        names = sorted(backends)
        for i, first in enumerate(names):
            for second in names[i + 1 :]:
                a, b = backends[first], backends[second]
                common = set(a["totals"]) & set(b["totals"])
                pair: dict = {}
                for kind in ("text", "facet", "distance"):
                    ids = [q for q in common if a["kinds"][q] == kind]
                    differing = [q for q in ids if a["totals"][q] != b["totals"][q]]
                    pair[kind] = {
                        "compared": len(ids),
                        "same_total": len(ids) - len(differing),
                        "examples": [
                            {"i": q, first: a["totals"][q], second: b["totals"][q]}
                            for q in sorted(differing)[:5]
                        ],
                    }
                report.setdefault(str(size), {})[f"{first} vs {second}"] = pair
    return report


def _fmt(value, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, (int, float)):
        return f"{value:,.{digits}f}"
    return str(value)


def render_table(report: dict) -> str:
    header = (
        "size",
        "backend",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "mean ms",
        "queries",
        "gen s",
        "index",
        "index s",
        "docs/s",
        "py RSS MB",
        "JVM RSS MB",
    )
    rows = []
    for run in report["runs"]:
        if "backend" not in run:
            rows.append(("-", "-", run.get("error", "failed"), *[""] * 10))
            continue
        latency = run.get("latency_ms", {}).get("all", {})
        index = run.get("index", {})
        generation = run.get("generation", {})
        queries = run.get("queries", {})
        if run["backend"] == "opensearch":
            kind, docs = "full reindex", index.get("docs_per_s")
        else:
            kind, docs = "update_index", index.get("entries_per_s")
        gen = generation.get("seconds")
        gen_text = (_fmt(gen) + ("*" if generation.get("reused") else "")) if gen else "-"
        measured = (
            f"{queries.get('measured', 0)}/{queries.get('planned', 0)}"
            + (f" ({queries['errors']} err)" if queries.get("errors") else "")
            + (" trunc" if queries.get("truncated") else "")
        )
        if not run.get("ok"):
            measured = "FAILED"
        rows.append(
            (
                f"{run['size']:,}",
                run["backend"],
                _fmt(latency.get("p50")),
                _fmt(latency.get("p95")),
                _fmt(latency.get("p99")),
                _fmt(latency.get("mean")),
                measured,
                gen_text,
                kind,
                _fmt(index.get("seconds")),
                _fmt(docs, 0),
                _fmt(run.get("memory", {}).get("py_peak_rss_mb"), 0),
                _fmt(run.get("memory", {}).get("jvm_peak_rss_mb"), 0),
            )
        )
    lines = [_table(header, rows)]

    kind_header = (
        "size",
        "backend",
        *[f"{k} {p}" for k in ("text", "facet", "distance") for p in ("p50", "p95", "mean")],
    )
    kind_rows = []
    for run in report["runs"]:
        if "backend" not in run or "latency_ms" not in run:
            continue
        cells = []
        for kind in ("text", "facet", "distance"):
            stats = run["latency_ms"].get(kind, {})
            cells += [_fmt(stats.get("p50")), _fmt(stats.get("p95")), _fmt(stats.get("mean"))]
        kind_rows.append((f"{run['size']:,}", run["backend"], *cells))
    lines.append("\nLatency per query type (ms):")
    lines.append(_table(kind_header, kind_rows))

    notes = []
    for run in report["runs"]:
        if "backend" not in run:
            continue
        sizes = run.get("services_live", {})
        database = run.get("database", {})
        note = (
            f"{run['size']:,} {run['backend']}: {database.get('vendor', '?')} "
            f"{_fmt(database.get('size_mb'))} MB, live services nl={sizes.get('nl')} en={sizes.get('en')}"
        )
        if run["backend"] == "opensearch" and database.get("note"):
            note += f"; {database['note']}"
        if run.get("load_average"):
            note += (
                f"; load average {run['load_average']['start']} at start, "
                f"{run['load_average']['end']} at end"
            )
        if run.get("error"):
            note += f"; ERROR {run['error']}"
        notes.append(note)
    lines.append("\n" + "\n".join(notes))
    states = {
        (run["code"]["commit"][:10], run["code"]["uncommitted_fingerprint"])
        for run in report["runs"]
        if run.get("code")
    }
    start = report.get("code", {}).get("at_start", {})
    lines.append(
        f"\ncode measured: commit {start.get('commit', '?')[:10]}, "
        f"{start.get('uncommitted_files', '?')} uncommitted file(s) outside bench/"
    )
    if len(states) > 1:
        lines.append(
            "WARNING: the code changed while the benchmark ran; runs measured different versions: "
            + ", ".join(f"{commit}+{fingerprint}" for commit, fingerprint in sorted(states))
        )
    lines.append(
        "\ngen s: bulk generation of the synthetic services (* = database reused from the sqlite run);"
        " index: Wagtail update_index (database backends, entries/s) or OpenSearch full reindex"
        " (documents/s); RSS: peak resident memory of the child (Python) and of the OpenSearch JVM."
    )
    return "\n".join(lines)


def _table(header: tuple, rows: list[tuple]) -> str:
    widths = (
        [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
        if rows
        else [len(h) for h in header]
    )

    def line(cells):
        return (
            "| "
            + " | ".join(
                str(c).rjust(w) if i >= 2 else str(c).ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
            + " |"
        )

    separator = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), separator, *(line(row) for row in rows)])


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    parser.add_argument("--queries", type=int, default=300, help="measured queries per run")
    parser.add_argument(
        "--warmup", type=int, default=2000, help="unrecorded queries before measuring"
    )
    parser.add_argument(
        "--warmup-seconds", type=float, default=60, help="stop warming up after this long"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--en-share", type=float, default=0.25, help="share translated to English")
    parser.add_argument("--opensearch-heap", default="1g")
    parser.add_argument(
        "--max-query-seconds",
        type=float,
        default=1800,
        help="stop measuring a run after this many seconds of queries (the rest is reported as truncated)",
    )
    parser.add_argument(
        "--child-timeout", type=float, default=3 * 3600, help="kill a child after this many seconds"
    )
    # Internal: the parent runs this file again with these for every backend and size.
    parser.add_argument("--child", choices=BACKENDS, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    parser.add_argument("--child-db-url", help=argparse.SUPPRESS)
    parser.add_argument("--child-engine-url", help=argparse.SUPPRESS)
    parser.add_argument("--child-reuse-db", help=argparse.SUPPRESS)
    parser.add_argument("--child-reuse-db-result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.queries < 1 or any(size < 1 for size in args.sizes):
        parser.error("--queries and --sizes must be positive")
    if args.sizes and max(args.sizes) > 1_000_000:
        parser.error("sizes above 1,000,000 are not supported (treebeard allows 1.6M children)")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child:
        return child_main(args)
    return parent_main(args)


if __name__ == "__main__":
    sys.exit(main())
