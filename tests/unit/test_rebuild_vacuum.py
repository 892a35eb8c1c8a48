"""A replay on PostgreSQL vacuums the tables it rewrites as it goes, every twentieth of the way (at least
``VACUUM_EVENTS`` apart), never after its last batch; SQLite needs none; the caller's progress is still told."""

from __future__ import annotations

from projections import runner


class FakeDatabase:
    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres
        self.vacuumed: list[list[str]] = []

    def vacuum(self, tables):
        self.vacuumed.append(list(tables))


def replay(db, target: int, batch: int, monkeypatch, every: int) -> tuple[list[int], list[tuple]]:
    monkeypatch.setattr(runner, "VACUUM_EVENTS", every)
    told: list[tuple] = []
    step = runner.vacuuming(db, ["cheque_index", "journal"], lambda *a: told.append(a))
    at = []
    for position in range(batch, target + 1, batch):
        before = len(db.vacuumed)
        step(position, target, batch)
        if len(db.vacuumed) > before:
            at.append(position)
    return at, told


def test_a_postgres_replay_vacuums_its_tables_every_twentieth(monkeypatch):
    db = FakeDatabase(postgres=True)
    at, told = replay(db, target=200_000, batch=1000, monkeypatch=monkeypatch, every=1)
    assert at == list(range(11_000, 200_000, 10_000))  # a twentieth after the first batch, then each twentieth
    assert db.vacuumed[0] == ["cheque_index", "journal"]
    assert len(told) == 200 and told[-1] == (200_000, 200_000, 1000)


def test_small_replays_vacuum_at_most_every_vacuum_events(monkeypatch):
    db = FakeDatabase(postgres=True)
    at, _ = replay(db, target=50_000, batch=1000, monkeypatch=monkeypatch, every=20_000)
    assert at == [21_000, 41_000]


def test_sqlite_replays_are_left_as_they_are(monkeypatch):
    db = FakeDatabase(postgres=False)
    progress = lambda *a: None  # noqa: E731
    assert runner.vacuuming(db, ["journal"], progress) is progress
    assert runner.vacuuming(db, ["journal"], None) is None
