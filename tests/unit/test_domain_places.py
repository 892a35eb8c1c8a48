"""A structure as a place of the national schema: details, opening hours (domain/places.py, opening_hours.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import ValidationError
from domain.opening_hours import DAYS, describe_in_french, parse_opening_hours
from domain.places import check_details, has_postal_address
from domain.structures import Structure


def test_hours_read_in_french() -> None:
    hours = parse_opening_hours("Mo-Fr 09:00-12:00,14:00-17:30; We off; Sa 09:00-12:00; PH off")
    assert describe_in_french(hours) == [
        "Lundi et mardi : de 9 h à 12 h et de 14 h à 17 h 30",
        "Jeudi et vendredi : de 9 h à 12 h et de 14 h à 17 h 30",
        "Samedi : de 9 h à 12 h",
        "Fermé le mercredi et le dimanche",
        "Fermé les jours fériés",
    ]
    assert describe_in_french(parse_opening_hours("24/7")) == ["Ouvert tous les jours, 24 h sur 24"]
    assert describe_in_french(parse_opening_hours("10:00-18:00")) == ["Tous les jours : de 10 h à 18 h"]
    assert describe_in_french(parse_opening_hours("Fr-Mo 10:00-12:00"))[0] == "Lundi : de 10 h à 12 h"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Mo-Fr",
        "Mo-Fr 9:00-12:00",
        "Mo-Fr 12:00-09:00",
        "Jan Mo 10:00-12:00",
        "Mo 10:00-12:00,11:00-13:00",
        "Xx 10:00-12:00",
        "Mo 10:00-25:00",
        "sunrise-sunset",
        'Mo 10:00-12:00 "sur rendez-vous"',
    ],
)
def test_hours_outside_the_subset_are_refused_in_french(text: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_opening_hours(text)
    assert refused.value.fields[0][0] == "opening_hours"
    assert "Horaires" in refused.value.detail or "horaires" in refused.value.detail


spans = st.lists(st.tuples(st.integers(0, 1439), st.integers(1, 60)), min_size=1, max_size=3)


@given(st.sets(st.sampled_from(DAYS), min_size=1), spans)
def test_canonical_hours_read_back_the_same(days: set[str], raw: list[tuple[int, int]]) -> None:
    raw = sorted(raw)
    kept, end = [], -1
    for start, length in raw:  # no overlaps, within the day
        if start >= end and start + length <= 1440:
            kept.append((start, start + length))
            end = start + length
    if not kept:
        return
    clock = lambda m: f"{m // 60:02d}:{m % 60:02d}"  # noqa: E731
    text = ",".join(d for d in DAYS if d in days) + " " + ",".join(f"{clock(a)}-{clock(b)}" for a, b in kept)
    hours = parse_opening_hours(text)
    again = parse_opening_hours(hours.canonical())
    assert again == hours
    assert [hours.week()[i] != () for i in range(7)] == [d in days for d in DAYS]


def test_details_are_normalised_and_every_fault_named() -> None:
    details = check_details(
        address="12 rue de la Paix",
        postal_code="26000",
        phone="04 75 12 34 56",
        services=["safe_use", "safe_use"],
        opening_hours="Mo-Fr  09:00-12:00",
    )
    assert details["phone"] == "+33475123456"
    assert details["services"] == ["safe_use"]
    assert details["opening_hours"] == "Mo-Fr 09:00-12:00"
    assert has_postal_address(details)
    with pytest.raises(ValidationError) as refused:
        check_details(
            address="1 rue <b>",
            postal_code="2600",
            phone="12",
            email="x@",
            website="ftp://x",
            services=["chess"],
            opening_hours="always",
        )
    assert {f for f, _ in refused.value.fields} == {
        "address",
        "postal_code",
        "phone",
        "email",
        "website",
        "services",
        "opening_hours",
    }
    with pytest.raises(ValidationError) as refused:
        check_details(address="1 rue A")
    assert refused.value.fields[0][0] == "postal_code"
    assert not has_postal_address(check_details(phone="0475123456"))


def test_details_change_is_an_event_only_when_something_changes() -> None:
    s = Structure.register("73282932000074", "Fab'At", "26362", ["france_services"])
    assert s.details is None
    assert s.change_details(address="1 rue A", postal_code="26000")
    assert not s.change_details(address="1 rue A", postal_code="26000")
    assert s.change_details(address="1 rue A", postal_code="26000", name="Fab'At Valence", labels=["pix_center"])
    assert (s.name, s.labels) == ("Fab'At Valence", ["pix_center"])
    assert [type(e).__name__ for e in s.collect_events()] == ["Registered", "DetailsChanged", "DetailsChanged"]
