"""Whatever place details the domain accepts, ANCT's library reads the exported record (hypothesis, then node)."""

from __future__ import annotations

import json
import subprocess

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.opening_hours import DAYS
from domain.places import ADDRESS, EMAIL, PHONE, POSTAL_CODE, WEBSITE, PlaceService, check_details
from ledger.territory import default_territory
from projections.place_reads import PlaceRow, national_record
from tests.e2e.test_places import READER, ROOT


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def hours(draw: st.DrawFn) -> str:
    rules = []
    for _ in range(draw(st.integers(1, 3))):
        days = draw(st.lists(st.sampled_from([*DAYS, "PH"]), min_size=1, max_size=4, unique=True))
        if draw(st.booleans()):
            rules.append(",".join(days) + " off")
            continue
        start = draw(st.integers(0, 1300))
        end = draw(st.integers(start + 1, 1440))
        rules.append(",".join(days) + f" {clock(start)}-{clock(end)}")
    return "; ".join(rules)


details = st.fixed_dictionaries(
    {
        "address": st.from_regex(ADDRESS, fullmatch=True).filter(lambda a: a.strip() and len(a) <= 200),
        "postal_code": st.from_regex(POSTAL_CODE, fullmatch=True),
    },
    optional={
        "phone": st.from_regex(PHONE, fullmatch=True).filter(lambda p: len(p) <= 30),
        "email": st.from_regex(EMAIL, fullmatch=True).filter(lambda e: len(e) <= 254),
        "website": st.from_regex(WEBSITE, fullmatch=True).filter(lambda w: len(w) <= 500),
        "services": st.lists(st.sampled_from([s.value for s in PlaceService]), max_size=4),
        "opening_hours": hours(),
    },
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(details, min_size=1, max_size=6), st.sampled_from(["26362", "26113", "26281", "26220"]))
def test_every_place_the_domain_accepts_the_national_library_reads(places: list[dict], commune: str) -> None:
    records = []
    for index, fields in enumerate(places):
        accepted = check_details(**fields)
        row = PlaceRow(
            [f"id-{index}", "73282932000074", "Lieu", commune, "france_services", json.dumps(accepted), 1, "2026-06-01"]
        )
        records.append(msgspec.to_builtins(national_record(row, default_territory())))
    done = subprocess.run(
        ["node", str(READER)], input=json.dumps(records), capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr + json.dumps(records, ensure_ascii=False)
    assert len(json.loads(done.stdout)) == len(records)
