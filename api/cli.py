"""``cheque-ledger``: serve, demo, keys, users, project, rebuild, verify, backup, restore, audit (``api/cli_audit.py``)."""

from __future__ import annotations

import argparse
import logging
import sys

from domain.roles import Role


def _ledger():
    from api.bootstrap import ledger_from_env

    return ledger_from_env()


def _open_and_close() -> None:
    _ledger().close()


def serve(args: argparse.Namespace) -> int:
    import subprocess

    from granian import Granian
    from granian.constants import Interfaces

    # Fail fast on configuration (database, secret) and create the tables once, in a child process: the
    # supervisor itself never imports the ledger and stays small.
    check = subprocess.run(
        [sys.executable, "-c", "from api.cli import _open_and_close; _open_and_close()"], check=False
    )
    if check.returncode != 0:
        print("cheque-ledger: the ledger could not be opened (see above); not serving.", file=sys.stderr)
        return 1
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    Granian(
        "api.asgi:app",
        address=args.host,
        port=args.port,
        interface=Interfaces.ASGI,
        workers=args.workers,
        log_access=False,
        respawn_failed_workers=True,  # a worker that dies is replaced; the others go on serving
    ).serve()
    return 0


def demo(args: argparse.Namespace) -> int:
    from api.demo import DemoAlreadyLoaded, load_demo

    ledger = _ledger()
    try:
        print(load_demo(ledger).report())
    except DemoAlreadyLoaded as e:
        print(str(e), file=sys.stderr)
        return 1
    finally:
        ledger.close()
    return 0


def keys_create(args: argparse.Namespace) -> int:
    from domain.errors import DomainError
    from ledger.types import Actor, NewApiKey

    ledger = _ledger()
    try:
        key = ledger.create_api_key(Actor(role="admin", key_id="cli"), NewApiKey(role=args.role, org=args.org))
    except DomainError as e:
        print(f"refused: {e.detail}", file=sys.stderr)
        return 2
    finally:
        ledger.close()
    print(f"id {key.id}\nrole {key.role}\norg {key.org or '-'}\nkey {key.key}")
    return 0


def users_create(args: argparse.Namespace) -> int:
    import getpass

    from domain.errors import DomainError
    from ledger.types import Actor, NewUser

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Mot de passe (12 caractères au moins) : ")
        if getpass.getpass("Le même, encore : ") != password:
            print("refused: the two passwords differ", file=sys.stderr)
            return 2
    ledger = _ledger()
    try:
        user = ledger.create_user(
            Actor(role="admin", key_id="cli"),
            NewUser(email=args.email, password=password, role=args.role, org=args.org),
        )
    except DomainError as e:
        print(f"refused: {e.detail}", file=sys.stderr)
        return 2
    finally:
        ledger.close()
    print(f"id {user.id}\nemail {user.email}\nrole {user.role}\norg {user.org or '-'}")
    return 0


def project(args: argparse.Namespace) -> int:
    from projections.process import run_forever

    ledger = _ledger()
    try:
        run_forever(ledger)
    finally:
        ledger.close()
    return 0


def rebuild(args: argparse.Namespace) -> int:
    from projections.process import rebuild as run_rebuild

    ledger = _ledger()
    try:
        events, seconds = run_rebuild(ledger, args.projection)
        failed = ledger.views.failed_here()
    except KeyError as e:
        print(e.args[0], file=sys.stderr)
        return 2
    finally:
        ledger.close()
    print(
        f"rebuilt {args.projection or 'all projections'}: {events} events in {seconds:.2f} s ({events / max(seconds, 1e-9):,.0f} events/s)"
    )
    for name in sorted(failed):
        print(f"FAILED: {failed[name].describe()}", file=sys.stderr)
    return 1 if failed else 0


def verify(args: argparse.Namespace) -> int:
    from projections.verify import verify as run_verify

    ledger = _ledger()
    try:
        differences, head, checked = run_verify(ledger)
    finally:
        ledger.close()
    if differences:
        print(f"FAILED after checking {checked} events: {differences[0]}")
        for more in differences[1:20]:
            print(f"  also: {more}")
        return 1
    print(f"OK: {checked} events verified; Merkle root {head}")
    return 0


def backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from api.progress import progress_bar
    from ledger.backup import BackupError
    from ledger.backup import backup as take_backup
    from ledger.config import DatabaseConfig
    from ledger.settings import Settings

    settings = Settings.from_env()
    config = DatabaseConfig.from_url(settings.database_url)
    secret = _existing_secret(config, settings.secret)
    if secret is None:  # never a new one: that would be a ledger nobody has opened
        print("backup FAILED: no secret (LEDGER_SECRET, or the .secret file beside the SQLite file)", file=sys.stderr)
        return 1
    try:
        with progress_bar("Sauvegarde") as advance:
            manifest = take_backup(config, secret, Path(args.to), advance)
    except BackupError as e:
        print(f"backup FAILED: {e}", file=sys.stderr)
        return 1
    print(
        f"backup OK: {manifest.events} events (up to position {manifest.last_position}), {manifest.size_bytes:,} bytes"
        f" in {manifest.seconds:.1f} s, read back and checked: {Path(args.to).resolve()}"
    )
    return 0


def restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from api.progress import progress_bar
    from ledger.backup import BackupError
    from ledger.config import DatabaseConfig
    from ledger.restore import restore as run_restore
    from ledger.settings import Settings

    settings = Settings.from_env()
    config = DatabaseConfig.from_url(settings.database_url)
    secret = _existing_secret(config, settings.secret)
    if secret is None:
        print(
            "restore refused: no secret. Set LEDGER_SECRET (or, on SQLite, put the .secret file kept with the"
            f" backups beside {config.sqlite_path}) to the secret the backup was taken with.",
            file=sys.stderr,
        )
        return 2
    try:
        with progress_bar("Restauration") as advance:
            manifest = run_restore(config, secret, Path(args.source), advance)
    except BackupError as e:
        print(f"restore refused: {e}", file=sys.stderr)
        return 1
    ledger = _ledger()
    try:
        again, kept = ledger.reapply_erasures()
        ledger.views.catch_up()
    finally:
        ledger.close()
    print(
        f"restore OK: {manifest.events} events (up to position {manifest.last_position}, backup of"
        f" {manifest.created_at}); erasures made since applied again: {again} (already erased or unknown: {kept})."
        " Next: cheque-ledger verify"
    )
    return 0


def _existing_secret(config, value: str | None) -> bytes | None:
    """The secret to restore with: LEDGER_SECRET, or the SQLite secret file if it is there (never a new one)."""
    if value:
        return value.encode()
    if config.kind == "sqlite":
        path = config.sqlite_path.with_name(config.sqlite_path.name + ".secret")
        if path.exists():
            return path.read_text().strip().encode()
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cheque-ledger", description="Registre du chèque numérique Drômois")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="run the API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.set_defaults(func=serve)
    sub.add_parser("demo", help="load the Drôme demo data set and print one API key per role").set_defaults(func=demo)
    keys = sub.add_parser("keys", help="API keys").add_subparsers(dest="keys_command", required=True)
    k = keys.add_parser("create", help="create an API key (shown once)")
    k.add_argument("--role", required=True, choices=[role.value for role in Role])
    k.add_argument("--org", default=None)
    k.set_defaults(func=keys_create)
    users = sub.add_parser("users", help="people's accounts for the web pages").add_subparsers(
        dest="users_command", required=True
    )
    u = users.add_parser("create", help="create an account (password asked, or one line on stdin)")
    u.add_argument("--email", required=True)
    u.add_argument("--role", required=True, choices=[role.value for role in Role])
    u.add_argument("--org", default=None)
    u.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    u.set_defaults(func=users_create)
    sub.add_parser("project", help="keep the projections caught up (its own process)").set_defaults(func=project)
    r = sub.add_parser("rebuild", help="drop and rebuild projections from the events")
    r.add_argument("projection", nargs="?", default=None)
    r.set_defaults(func=rebuild)
    sub.add_parser("verify", help="recompute every figure from the events and check the Merkle log").set_defaults(
        func=verify
    )
    from api import cli_audit

    cli_audit.add_parser(sub)
    b = sub.add_parser("backup", help="a consistent backup while the server runs, read back and checked")
    b.add_argument("--to", required=True, help="a new folder for the backup")
    b.set_defaults(func=backup)
    r = sub.add_parser("restore", help="restore a backup into an empty database, then erase again who was erased")
    r.add_argument("--from", dest="source", required=True, help="the backup's folder")
    r.set_defaults(func=restore)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
