"""PIX certifications and Open Badges on the ledger (both backends): credentials checked by the Digital Credentials
Consortium's verifier (node, offline), tampering caught, indicators counted, access by role."""

from __future__ import annotations

import copy
import hashlib
import itertools
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import errors
from ledger import types as t
from tests import scenario as s
from tests.badges.dcc import dcc_verify, dcc_verify_all

TEST_BADGE_KEY = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="  # a fixed 32-byte seed, tests only
FIRST_STEPS = t.NewAchievement(
    slug="premiers-pas",
    name="Premiers pas numériques",
    description="A appris à allumer un ordinateur, à se servir de la souris et du clavier, et à naviguer sur le web.",
    criteria="A suivi trois séances d’accompagnement et réussi l’exercice final avec son médiateur.",
)


@pytest.fixture
def badge_ledger(make_ledger, monkeypatch):
    monkeypatch.setenv("LEDGER_BADGE_KEY", TEST_BADGE_KEY)
    ledger = make_ledger()
    return ledger, s.world(ledger)


def test_an_awarded_badge_verifies_with_the_dcc_verifier(badge_ledger):
    ledger, w = badge_ledger
    ledger.define_achievement(s.ADMIN, FIRST_STEPS)
    badge = ledger.award_badge(w.structure_actor, str(w.beneficiary.id), t.NewBadge(achievement="premiers-pas"))
    credential = badge.credential
    report = dcc_verify(credential)
    assert report["verified"] is True, report
    assert report["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    # the shape the contract promises
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert credential["issuer"]["id"].startswith("did:key:z6Mk") and credential["issuer"]["type"] == ["Profile"]
    assert "validFrom" in credential and "credentialStatus" not in credential
    assert credential["id"] == f"urn:uuid:{badge.id}"
    assert credential["proof"]["verificationMethod"].startswith(credential["issuer"]["id"] + "#")
    # the person is a salted hash of the pseudonymous id, nothing else
    identity = credential["credentialSubject"]["identifier"][0]
    expected = hashlib.sha256((str(w.beneficiary.id) + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == "sha256$" + expected and identity["hashed"] is True
    assert str(w.beneficiary.id) not in str(credential)
    assert credential["credentialSubject"]["achievement"]["name"] == FIRST_STEPS.name
    # the stored credential, as downloaded, is the one answered
    assert ledger.badge_credential(s.ADMIN, str(badge.id)) == credential


def test_a_tampered_credential_fails_the_dcc_verifier(badge_ledger):
    ledger, w = badge_ledger
    ledger.define_achievement(s.ADMIN, FIRST_STEPS)
    credential = ledger.award_badge(s.ADMIN, str(w.beneficiary.id), t.NewBadge(achievement="premiers-pas")).credential
    renamed = copy.deepcopy(credential)
    renamed["credentialSubject"]["achievement"]["name"] = "Expert en cybersécurité"
    other_person = copy.deepcopy(credential)
    other_person["credentialSubject"]["identifier"][0]["identityHash"] = "sha256$" + "0" * 64
    backdated = copy.deepcopy(credential)
    backdated["validFrom"] = "2020-01-01T00:00:00Z"
    for forged in (renamed, other_person, backdated):
        report = dcc_verify(forged)
        assert report["verified"] is False
        assert "Invalid signature." in str(report["errors"])


def test_each_badge_has_its_own_salt_and_id(badge_ledger):
    ledger, w = badge_ledger
    ledger.define_achievement(s.ADMIN, FIRST_STEPS)
    one = ledger.award_badge(s.ADMIN, str(w.beneficiary.id), t.NewBadge(achievement="premiers-pas"))
    two = ledger.award_badge(w.prescriber_actor, str(w.beneficiary.id), t.NewBadge(achievement="premiers-pas"))
    hashes = {b.credential["credentialSubject"]["identifier"][0]["identityHash"] for b in (one, two)}
    assert one.id != two.id and len(hashes) == 2  # two badges of one person cannot be linked by their hash
    assert {b.id for b in ledger.badges_of(s.ADMIN, str(w.beneficiary.id)).items} == {one.id, two.id}


def test_achievements_are_defined_once_by_the_admin(badge_ledger):
    ledger, w = badge_ledger
    with pytest.raises(errors.Forbidden):
        ledger.define_achievement(w.structure_actor, FIRST_STEPS)
    out = ledger.define_achievement(s.ADMIN, FIRST_STEPS)
    assert out.slug == "premiers-pas"
    with pytest.raises(errors.AlreadyExists):
        ledger.define_achievement(s.ADMIN, FIRST_STEPS)
    assert [a.slug for a in ledger.list_achievements(w.prescriber_actor).items] == ["premiers-pas"]
    with pytest.raises(errors.NotFound):
        ledger.award_badge(s.ADMIN, str(w.beneficiary.id), t.NewBadge(achievement="inconnu"))


def test_who_may_award_and_read_badges(badge_ledger):
    ledger, w = badge_ledger
    ledger.define_achievement(s.ADMIN, FIRST_STEPS)
    other = s.prescriber(ledger, "CCAS de Die")
    other_actor = t.Actor(role="prescriber", org=str(other.id))
    with pytest.raises(errors.Forbidden):
        ledger.award_badge(other_actor, str(w.beneficiary.id), t.NewBadge(achievement="premiers-pas"))
    with pytest.raises(errors.Forbidden):
        ledger.award_badge(
            t.Actor(role="funder", org="DEPT26"), str(w.beneficiary.id), t.NewBadge(achievement="premiers-pas")
        )
    badge = ledger.award_badge(w.structure_actor, str(w.beneficiary.id), t.NewBadge(achievement="premiers-pas"))
    assert ledger.badge_credential(w.prescriber_actor, str(badge.id))["id"] == f"urn:uuid:{badge.id}"
    with pytest.raises(errors.Forbidden):
        ledger.badge_credential(other_actor, str(badge.id))
    with pytest.raises(errors.Forbidden):
        ledger.badge_credential(t.Actor(role="structure", org="another"), str(badge.id))
    assert ledger.badges_of(t.Actor(role="structure", org="another"), str(w.beneficiary.id)).items == []
    ledger.erase_beneficiary(s.ADMIN, str(w.beneficiary.id))
    with pytest.raises(errors.NotFound):
        ledger.badge_credential(s.ADMIN, str(badge.id))


def test_pix_certifications_and_badges_are_counted_in_the_indicators(badge_ledger, clock):
    ledger, w = badge_ledger
    ledger.define_achievement(s.ADMIN, FIRST_STEPS)
    bid = str(w.beneficiary.id)
    ledger.record_pix_certification(
        w.structure_actor, bid, t.NewPixCertification(certified_on=date(2026, 2, 3), score=412)
    )
    ledger.record_pix_certification(
        w.prescriber_actor, bid, t.NewPixCertification(certified_on=date(2025, 12, 1), score=0)
    )
    ledger.award_badge(w.structure_actor, bid, t.NewBadge(achievement="premiers-pas"))
    observatory = t.Actor(role="observatory")
    all_time = ledger.indicators(observatory)
    assert all_time.pix.certifications == 2 and all_time.badges_awarded == 1
    year = ledger.indicators(observatory, date(2026, 1, 1), date(2026, 12, 31))
    assert year.pix.certifications == 1 and year.badges_awarded == 1
    before = ledger.indicators(observatory, date(2025, 1, 1), date(2025, 12, 31))
    assert before.pix.certifications == 1 and before.badges_awarded == 0
    listed = ledger.pix_certifications_of(w.prescriber_actor, bid).items
    assert [(c.certified_on, c.score) for c in listed] == [(date(2025, 12, 1), 0), (date(2026, 2, 3), 412)]
    assert [c.score for c in ledger.pix_certifications_of(w.structure_actor, bid).items] == [412]


def test_pix_certification_bounds(badge_ledger, clock):
    ledger, w = badge_ledger
    bid = str(w.beneficiary.id)
    with pytest.raises(errors.ValidationError):
        ledger.record_pix_certification(
            w.structure_actor, bid, t.NewPixCertification(certified_on=date(2026, 3, 17), score=10)
        )
    with pytest.raises(errors.ValidationError):
        ledger.record_pix_certification(
            w.structure_actor, bid, t.NewPixCertification(certified_on=date(2026, 3, 1), score=1025)
        )
    other = s.prescriber(ledger, "CCAS de Die")
    with pytest.raises(errors.Forbidden):
        ledger.record_pix_certification(
            t.Actor(role="prescriber", org=str(other.id)),
            bid,
            t.NewPixCertification(certified_on=date(2026, 3, 1), score=10),
        )
    assert ledger.indicators(t.Actor(role="observatory")).pix.certifications == 0


def test_badges_and_certifications_at_their_extremes(badge_ledger, clock):
    """The longest texts (with characters outside Latin-1), the bounds of scores and dates: stored, signed,
    verified by the DCC verifier, printed, counted."""
    import io
    import json

    from pypdf import PdfReader

    from paper.badge import render_badge

    ledger, w = badge_ledger
    bid = str(w.beneficiary.id)
    longest = t.NewAchievement(
        slug="a" + "-b" * 31 + "c",
        name="Œ’–…€😀 " + "n" * 193,
        description="Décrit « ceci » – " + "d" * 1982,
        criteria="Critère’ " + "c" * 1991,
    )
    assert len(longest.slug) == 64 and len(longest.name) == 200 and len(longest.description) == 2000
    ledger.define_achievement(s.ADMIN, longest)
    badge = ledger.award_badge(w.structure_actor, bid, t.NewBadge(achievement=longest.slug))
    assert badge.credential["credentialSubject"]["achievement"]["description"] == longest.description
    assert dcc_verify(badge.credential)["verified"] is True
    award = ledger.badge(s.ADMIN, str(badge.id))
    pdf = PdfReader(io.BytesIO(render_badge(json.loads(award.credential), award.awarded_on)))
    assert "OE'-..." in pdf.pages[0].extract_text()
    for day, score in ((date(2000, 1, 1), 1024), (clock.today, 0)):
        ledger.record_pix_certification(w.prescriber_actor, bid, t.NewPixCertification(certified_on=day, score=score))
    assert [c.score for c in ledger.pix_certifications_of(s.ADMIN, bid).items] == [1024, 0]
    figures = ledger.indicators(t.Actor(role="observatory"), date(2000, 1, 1), clock.today)
    assert figures.pix.certifications == 2 and figures.badges_awarded == 1


# Visible text as the door lets it in (no control characters), French and otherwise: quotes, backslashes,
# combining accents, emoji, right-to-left, characters N-Quads escapes. Two canonicalisers must agree on all of it.
visible_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\x7f"), min_size=1, max_size=80
).filter(lambda text: text.strip())


@pytest.fixture
def shared_ledger(make_ledger, monkeypatch):
    monkeypatch.setenv("LEDGER_BADGE_KEY", TEST_BADGE_KEY)
    ledger = make_ledger()
    return ledger, s.world(ledger), itertools.count()


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(texts=st.lists(st.tuples(visible_text, visible_text, visible_text), min_size=25, max_size=25))
def test_whatever_text_the_admin_types_the_dcc_verifier_accepts_the_badge(shared_ledger, texts):
    """pyld (signer) and the DCC's rdf-canonize (verifier) canonicalise independently: any difference in how
    they escape a character would fail the signature. 4 × 25 badges with random texts, one node run each."""
    ledger, w, numbers = shared_ledger
    credentials = []
    for name, description, criteria in texts:
        slug = f"badge-{next(numbers)}"
        ledger.define_achievement(
            s.ADMIN, t.NewAchievement(slug=slug, name=name, description=description, criteria=criteria)
        )
        credentials.append(ledger.award_badge(s.ADMIN, str(w.beneficiary.id), t.NewBadge(achievement=slug)).credential)
    reports = dcc_verify_all(credentials)
    assert [r["verified"] for r in reports] == [True] * len(credentials), [
        (c["name"], r["errors"]) for c, r in zip(credentials, reports, strict=True) if not r["verified"]
    ]
