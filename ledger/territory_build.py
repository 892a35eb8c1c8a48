"""Generate the territory reference CSV (communes of one département and their EPCI).

Source: the ``data/communes.json`` and ``data/epci.json`` files of the npm package
``@etalab/decoupage-administratif``. Fetch them outside the repository, e.g.::

    mkdir -p /tmp/territory && cd /tmp/territory && npm install @etalab/decoupage-administratif
    python -m ledger.territory_build \\
        --communes /tmp/territory/node_modules/@etalab/decoupage-administratif/data/communes.json \\
        --epci /tmp/territory/node_modules/@etalab/decoupage-administratif/data/epci.json \\
        --out ledger/data/territory_26.csv

Notes on the source format:

- a commune's ``siren`` field is the commune's *own* SIREN, not its EPCI's; EPCI membership comes
  from ``epci.json``, where each EPCI (``code`` = SIREN, ``nom``) lists its ``membres`` by INSEE code;
- only ``type == "commune-actuelle"`` rows are current communes. ``commune-deleguee`` and
  ``commune-associee`` rows are former communes merged into a commune nouvelle; some reuse the new
  commune's code (e.g. 26001 Aix-en-Diois), so without the filter codes would be duplicated.

Stdlib only. Fails (exit status != 0) if a commune has no EPCI or more than one.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path

HEADER = ("commune_insee", "commune_name", "epci_siren", "epci_name")
COMMUNE_TYPE = "commune-actuelle"


def build_rows(communes: list[dict], epcis: list[dict], departement: str) -> list[tuple[str, str, str, str]]:
    """Rows (insee, name, epci_siren, epci_name) of the département's current communes, sorted by INSEE."""
    selected = {
        c["code"]: c["nom"] for c in communes if c.get("type") == COMMUNE_TYPE and c.get("departement") == departement
    }
    if not selected:
        raise ValueError(f"no {COMMUNE_TYPE!r} commune found for département {departement!r}")

    membership: dict[str, list[tuple[str, str]]] = {code: [] for code in selected}
    for epci in epcis:
        for member in epci.get("membres", []):
            if member["code"] in membership:
                membership[member["code"]].append((epci["code"], epci["nom"]))

    orphans = sorted(code for code, found in membership.items() if not found)
    multiple = sorted(code for code, found in membership.items() if len(found) > 1)
    if orphans or multiple:
        raise ValueError(f"EPCI membership is not one-to-one: no EPCI for {orphans}, several EPCIs for {multiple}")

    return [(code, selected[code], *membership[code][0]) for code in sorted(selected)]


def write_csv(rows: list[tuple[str, str, str, str]], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", required=True, type=Path, help="path to decoupage-administratif communes.json")
    parser.add_argument("--epci", required=True, type=Path, help="path to decoupage-administratif epci.json")
    parser.add_argument("--out", required=True, type=Path, help="CSV file to write")
    parser.add_argument("--departement", default="26", help="INSEE département code (default: 26, Drôme)")
    args = parser.parse_args(argv)

    communes = json.loads(args.communes.read_text(encoding="utf-8"))
    epcis = json.loads(args.epci.read_text(encoding="utf-8"))
    try:
        rows = build_rows(communes, epcis, args.departement)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    write_csv(rows, args.out)
    n_epci = len({row[2] for row in rows})
    print(f"wrote {args.out}: {len(rows)} communes, {n_epci} EPCIs (département {args.departement})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
