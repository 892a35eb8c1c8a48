"""Backups that restore (both backends): the drill under load, erasures surviving a restore, the refusals."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import msgspec
import pytest

from api import cli
from api.bootstrap import Ledger, open_ledger
from domain import errors
from domain.accounts import UserAccount
from ledger.account_commands import ERASED
from ledger.backup import BackupError, backup, check_backup, read_manifest
from ledger.config import DatabaseConfig
from ledger.restore import NotEmpty, restore
from ledger.settings import Settings
from projections.verify import verify
from tests import scenario as s
from tests.conftest import BACKEND, PG_URL, SECRET

BOOKS, PER_BOOK = 8, 20
CREATED: list[str] = []


@pytest.fixture(autouse=True)
def drop_restored_databases():
    """The PostgreSQL databases restored into are dropped after each test, whatever its outcome."""
    yield
    if CREATED:
        import psycopg

        with psycopg.connect(DatabaseConfig.from_url(PG_URL).conninfo(), autocommit=True) as conn:
            while CREATED:
                conn.execute(f'DROP DATABASE IF EXISTS "{CREATED.pop()}" WITH (FORCE)')


def fresh_target(tmp_path: Path, name: str) -> DatabaseConfig:
    """A new, empty database to restore into (PostgreSQL: beside the test database, dropped first)."""
    if BACKEND != "postgres":
        return DatabaseConfig.from_url(f"sqlite:///{tmp_path / name / 'ledger.db'}")
    import psycopg

    config = DatabaseConfig.from_url(PG_URL)
    target = dataclasses.replace(config, dbname=f"{config.dbname}_{name}")
    with psycopg.connect(config.conninfo(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target.dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target.dbname}"')
    CREATED.append(target.dbname)
    return target


def open_restored(config: DatabaseConfig, tmp_path: Path, clock) -> Ledger:
    settings = msgspec.structs.replace(Settings.from_env(), erasure_list=str(tmp_path / "erased"))
    return open_ledger(config, SECRET, clock=clock, settings=settings)


def journal(ledger: Ledger, code: str = "DEPT26") -> list[dict]:
    items, cursor = [], None
    while True:
        page = ledger.journal(s.ADMIN, code, limit=1000, cursor=cursor)
        items += msgspec.to_builtins(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return items


def figures(ledger: Ledger) -> dict:
    return {
        "reconciliation": msgspec.to_builtins(ledger.reconciliation(s.ADMIN, "DEPT26")),
        "journal": journal(ledger),
        "indicators": msgspec.to_builtins(ledger.indicators(s.ADMIN)),
        "statement": msgspec.to_builtins(ledger.statement(s.ADMIN, str(ledger._drill_structure))),  # type: ignore[attr-defined]
    }


def filled(ledger: Ledger) -> tuple[s.World, list]:
    w = s.world(ledger, amount_cents=BOOKS * PER_BOOK * 1000)
    cheques = [c for _ in range(BOOKS) for c in s.book(ledger, w, count=PER_BOOK).cheques]
    ledger._drill_structure = w.structure.id  # type: ignore[attr-defined]
    return w, cheques


def test_restore_drill_backup_under_load(ledger, tmp_path, clock):
    """Fill, back up while redemptions run in a thread, restore into a fresh database: verify passes, the
    journal is the original's up to the backup, every redemption acknowledged before the backup began is
    there; then a quiet backup restores to exactly the same figures."""
    w, cheques = filled(ledger)
    acknowledged: list[str] = []
    stop = threading.Event()
    enough = threading.Event()

    def redeem_all() -> None:
        for c in cheques:
            if stop.is_set():
                return
            ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, clock.today))
            acknowledged.append(c.serial)
            if len(acknowledged) >= 20:
                enough.set()

    worker = threading.Thread(target=redeem_all)
    worker.start()
    try:
        assert enough.wait(60), "the redemptions did not start"
        before_backup = list(acknowledged)
        manifest = backup(ledger.config, SECRET, tmp_path / "under-load")
        during = len(acknowledged) - len(before_backup)
    finally:
        stop.set()
        worker.join(60)
    assert manifest.events > 0 and check_backup(tmp_path / "under-load") == manifest
    original_journal = journal(ledger)

    target = fresh_target(tmp_path, "restored")
    assert restore(target, SECRET, tmp_path / "under-load") == manifest
    restored = open_restored(target, tmp_path, clock)
    try:
        restored._drill_structure = w.structure.id  # type: ignore[attr-defined]
        differences, _, checked = verify(restored)
        assert differences == [] and checked == manifest.events
        restored_journal = journal(restored)
        assert restored_journal == original_journal[: len(restored_journal)]
        statuses = {serial: restored.get_cheque(s.ADMIN, serial).status for serial in acknowledged}
        assert all(statuses[serial] == "redeemed" for serial in before_backup)
        assert restored.reconciliation(s.ADMIN, "DEPT26").balanced
    finally:
        restored.close()
    print(f"backup under load: {during} redemptions acknowledged while it ran")

    ledger.views.catch_up()
    quiet = backup(ledger.config, SECRET, tmp_path / "quiet")
    target = fresh_target(tmp_path, "quiet")
    restore(target, SECRET, tmp_path / "quiet")
    again = open_restored(target, tmp_path, clock)
    try:
        again._drill_structure = w.structure.id  # type: ignore[attr-defined]
        assert verify(again)[0] == []
        assert figures(again) == figures(ledger)
        assert quiet.last_position == ledger.position()
    finally:
        again.close()


def test_an_erasure_survives_a_restore_of_an_older_backup(ledger, tmp_path, clock):
    w = s.world(ledger)
    person = s.beneficiary(ledger, w.prescriber_actor, first_name="Zéphirine", last_name="Quillebœuf")
    assert ledger.get_beneficiary(w.prescriber_actor, str(person.id)).last_name == "Quillebœuf"
    user = ledger.create_user(
        s.ADMIN, s.t.NewUser(email="agent@drome.fr", password="correct horse battery", role="admin", org=None)
    )
    backup(ledger.config, SECRET, tmp_path / "before-erasure")
    ledger.erase_beneficiary(s.ADMIN, str(person.id))
    ledger.erase_user(s.ADMIN, user.id)
    assert (tmp_path / "erased").read_text() == f"beneficiary {person.id}\nuser {user.id}\n"  # ids only

    target = fresh_target(tmp_path, "restored")
    restore(target, SECRET, tmp_path / "before-erasure")
    restored = open_restored(target, tmp_path, clock)
    try:
        assert restored.vault._key(person.id)  # the backup holds the key: read as is, she would come back…
    except Exception:  # noqa: BLE001
        pytest.fail("the backup should hold the key of a person erased after it")
    try:
        assert restored.reapply_erasures() == (2, 0)
        with pytest.raises(errors.NotFound):
            restored.get_beneficiary(w.prescriber_actor, str(person.id))
        account = restored._user_out(restored._load_id(user.id, UserAccount, "Compte"))
        assert (account.email, account.disabled) == (ERASED, True)
        with pytest.raises(errors.DomainError):
            restored.sign_in("agent@drome.fr", "correct horse battery")
        with restored.db.read() as cur:
            keys = cur.execute("SELECT COUNT(*) FROM beneficiary_keys WHERE beneficiary_id = ?", (str(person.id),))
            assert keys.fetchone() == (0,)
        assert restored.get_beneficiary(w.prescriber_actor, str(w.beneficiary.id)).first_name == "Camille"
        assert restored.reapply_erasures() == (0, 2)  # a second restore run changes nothing
        assert verify(restored)[0] == []
    finally:
        restored.close()


def test_restore_through_the_command_line_refuses_a_non_empty_database(ledger, tmp_path, monkeypatch, capsys):
    w = s.world(ledger)
    person = s.beneficiary(ledger, w.prescriber_actor)
    folder = tmp_path / "cli-backup"
    monkeypatch.setenv("LEDGER_SECRET", SECRET.decode())
    monkeypatch.setenv("LEDGER_ERASURE_LIST", str(tmp_path / "erased"))
    monkeypatch.setenv(
        "LEDGER_DATABASE_URL", PG_URL if BACKEND == "postgres" else f"sqlite:///{tmp_path / 'ledger.db'}"
    )
    assert cli.main(["backup", "--to", str(folder)]) == 0
    assert read_manifest(folder).events == ledger.position()
    assert cli.main(["backup", "--to", str(folder)]) == 1  # never over an existing backup
    ledger.erase_beneficiary(s.ADMIN, str(person.id))

    assert cli.main(["restore", "--from", str(folder)]) == 1  # the live database is not empty
    assert "not empty" in capsys.readouterr().err
    target = fresh_target(tmp_path, "cli")
    monkeypatch.setenv("LEDGER_DATABASE_URL", target.describe())
    monkeypatch.setenv("LEDGER_SECRET", "another-secret-entirely")
    assert cli.main(["restore", "--from", str(folder)]) == 1
    assert "not the one this backup was taken with" in capsys.readouterr().err
    monkeypatch.setenv("LEDGER_SECRET", SECRET.decode())
    assert cli.main(["restore", "--from", str(folder)]) == 0
    assert "applied again: 1" in capsys.readouterr().out
    assert cli.main(["verify"]) == 0


def test_a_damaged_backup_is_refused(ledger, tmp_path):
    s.world(ledger)
    folder = tmp_path / "b"
    manifest = backup(ledger.config, SECRET, folder)
    data = folder / manifest.data_file
    raw = bytearray(data.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    data.write_bytes(bytes(raw))
    with pytest.raises(BackupError, match="checksum"):
        restore(fresh_target(tmp_path, "damaged"), SECRET, folder)
    with pytest.raises(NotEmpty):
        restore(ledger.config, SECRET, tmp_path / "b")
