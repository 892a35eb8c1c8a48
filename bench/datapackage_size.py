"""The observatory data package at the Drôme's full size: every commune in each of 40 quarters, through the pure
builders (complementary suppression, CSV, zip). `python -m bench.datapackage_size`."""

from __future__ import annotations

import random
import time

from ledger.territory import default_territory
from projections.datapackage import Cell, package_zip

territory = default_territory()
random.seed(1)
cells = [
    Cell(
        quarter=f"{2020 + q // 4}-Q{q % 4 + 1}",
        commune=c.insee,
        beneficiaries=(n := random.choice([1, 2, 3, 4, 6, 12, 40])),
        sessions=n * 3,
        minutes=n * 180,
    )
    for q in range(40)
    for c in territory.communes()
]
start = time.perf_counter()
content = package_zip(cells, [], territory, 5, "2026-12-06T00:00:00Z")
elapsed = time.perf_counter() - start
print(
    f"{len(territory)} communes x 40 quarters = {len(cells)} cells: package built in {elapsed:.2f} s, {len(content) / 1024:.0f} KiB zipped"
)
