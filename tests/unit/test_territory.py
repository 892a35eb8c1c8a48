"""The Drôme territory reference (ledger/data/territory_26.csv) and its loader. No database."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from ledger import territory_build
from ledger.territory import ENV_VAR, HEADER, Commune, Territory, default_territory

SHIPPED = Path(territory_build.__file__).parent / "data" / "territory_26.csv"
DROME_COMMUNES = 362  # decoupage-administratif 6.0.0, type "commune-actuelle", département 26
DROME_EPCIS = 16


@pytest.fixture(autouse=True)
def _no_env_override(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    default_territory.cache_clear()
    yield
    default_territory.cache_clear()


@pytest.fixture
def drome() -> Territory:
    return Territory.load()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_valence_is_in_valence_romans_agglo(drome: Territory) -> None:
    assert "26362" in drome
    assert drome.get("26362") == Commune("26362", "Valence", "200068781", "CA Valence Romans Agglo")
    assert drome.epci_of("26362") == "200068781"


def test_die_is_in_the_diois(drome: Territory) -> None:
    assert "26113" in drome
    assert drome.get("26113") == Commune("26113", "Die", "242600534", "CC du Diois")


@pytest.mark.parametrize("insee", ["07186", "38185", "84007", "26999", "2636", "", None, 26362])
def test_codes_outside_the_drome_are_not_in_it(drome: Territory, insee) -> None:
    assert insee not in drome
    if isinstance(insee, str):
        assert drome.get(insee) is None
        assert drome.epci_of(insee) is None


def test_counts(drome: Territory) -> None:
    assert len(drome) == DROME_COMMUNES
    assert len({c.epci_siren for c in drome.communes()}) == DROME_EPCIS


def test_communes_are_sorted_and_all_in_the_drome(drome: Territory) -> None:
    codes = [c.insee for c in drome.communes()]
    assert codes == sorted(codes)
    assert all(code.startswith("26") for code in codes)


def test_shipped_csv_format() -> None:
    raw = SHIPPED.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    raw.decode("utf-8")
    with SHIPPED.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == HEADER
    assert len(rows) == DROME_COMMUNES + 1


def test_default_territory_is_cached_and_shipped() -> None:
    first = default_territory()
    assert first is default_territory()
    assert len(first) == DROME_COMMUNES


def test_load_from_custom_path(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", f"{','.join(HEADER)}\n26362,Valence,200068781,CA Valence Romans Agglo\n")
    for arg in (path, str(path)):
        small = Territory.load(arg)
        assert len(small) == 1
        assert "26362" in small and "26113" not in small


def test_env_var_overrides_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "newer.csv", f"{','.join(HEADER)}\n26113,Die,242600534,CC du Diois\n")
    monkeypatch.setenv(ENV_VAR, str(path))
    assert [c.insee for c in Territory.load().communes()] == ["26113"]
    assert len(default_territory()) == 1
    # an explicit path still wins over the environment
    assert len(Territory.load(SHIPPED)) == DROME_COMMUNES


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "header"),
        ("insee,name,siren,epci\n26362,Valence,200068781,X\n", "header"),
        ("commune_insee,commune_name,epci_siren\n", "header"),
        (f"{','.join(HEADER)}\n", "no commune rows"),
        (f"{','.join(HEADER)}\n2636,Valence,200068781,X\n", "5-character"),
        (f"{','.join(HEADER)}\n263620,Valence,200068781,X\n", "5-character"),
        (f"{','.join(HEADER)}\n26362,Valence,200068781\n", "expected 4 fields"),
        (f"{','.join(HEADER)}\n26362,Valence,2000,X\n", "epci_siren"),
        (f"{','.join(HEADER)}\n26362,,200068781,X\n", "must not be empty"),
        (f"{','.join(HEADER)}\n26362,Valence,200068781,X\n26362,Valence bis,200068781,X\n", "duplicate"),
    ],
)
def test_malformed_csv_raises_value_error(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path / "bad.csv", body)
    with pytest.raises(ValueError, match=message):
        Territory.load(path)


def test_generator_keeps_current_communes_of_the_departement(tmp_path: Path) -> None:
    communes = [
        {"code": "26001", "nom": "Solaure en Diois", "departement": "26", "type": "commune-actuelle"},
        {"code": "26001", "nom": "Aix-en-Diois", "departement": "26", "type": "commune-deleguee"},
        {"code": "26187", "nom": "Molières-Glandaz", "departement": "26", "type": "commune-deleguee"},
        {"code": "26362", "nom": "Valence", "departement": "26", "type": "commune-actuelle"},
        {"code": "07186", "nom": "Privas", "departement": "07", "type": "commune-actuelle"},
    ]
    epcis = [
        {"code": "242600534", "nom": "CC du Diois", "membres": [{"code": "26001"}]},
        {"code": "200068781", "nom": "CA Valence Romans Agglo", "membres": [{"code": "26362"}]},
        {"code": "200071041", "nom": "CA Privas Centre Ardèche", "membres": [{"code": "07186"}]},
    ]
    src_c = write(tmp_path / "communes.json", json.dumps(communes))
    src_e = write(tmp_path / "epci.json", json.dumps(epcis))
    out = tmp_path / "out" / "territory.csv"
    argv = ["--communes", str(src_c), "--epci", str(src_e), "--out", str(out)]
    assert territory_build.main(argv) == 0
    assert out.read_text(encoding="utf-8") == (
        "commune_insee,commune_name,epci_siren,epci_name\n"
        "26001,Solaure en Diois,242600534,CC du Diois\n"
        "26362,Valence,200068781,CA Valence Romans Agglo\n"
    )
    assert len(Territory.load(out)) == 2


def test_generator_refuses_a_commune_without_epci(tmp_path: Path) -> None:
    communes = [{"code": "26362", "nom": "Valence", "departement": "26", "type": "commune-actuelle"}]
    src_c = write(tmp_path / "communes.json", json.dumps(communes))
    src_e = write(tmp_path / "epci.json", "[]")
    out = tmp_path / "territory.csv"
    assert territory_build.main(["--communes", str(src_c), "--epci", str(src_e), "--out", str(out)]) == 1
    assert not out.exists()
