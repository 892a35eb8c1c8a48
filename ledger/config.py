"""Where the ledger keeps its data, and its server secret."""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

DEFAULT_SQLITE_PATH = Path("var") / "ledger.db"


# Options of every PostgreSQL session the ledger opens. PostgreSQL's JIT compiler fires on cost estimates,
# and the bulk load of a large batch (many lateral look-ups, mis-estimated) crosses its threshold: most of
# such a query's time then goes to compiling. The ledger's queries are short: no JIT (docs/benchmarks.md).
PG_SESSION_OPTIONS = "-c jit=off"


class ConfigurationError(RuntimeError):
    pass


@dataclass(frozen=True)
class DatabaseConfig:
    kind: str  # "sqlite" or "postgres"
    sqlite_path: Path | None = None
    host: str = "127.0.0.1"  # several hosts: "h1,h2" (libpq tries them in turn)
    port: int | str = 5432  # several hosts: "5432,5433", one port per host
    user: str = "postgres"
    password: str = ""
    dbname: str = ""
    target_session_attrs: str = ""  # "read-write": of several hosts, connect to the primary

    @classmethod
    def from_url(cls, url: str | None) -> DatabaseConfig:
        if not url:
            return cls(kind="sqlite", sqlite_path=DEFAULT_SQLITE_PATH)
        parsed = urlparse(url)
        if parsed.scheme == "sqlite":
            # sqlite:///relative/path.db or sqlite:////absolute/path.db
            path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else parsed.path
            if not path:
                raise ConfigurationError("LEDGER_DATABASE_URL sqlite:/// needs a file path")
            return cls(kind="sqlite", sqlite_path=Path(unquote(path)))
        if parsed.scheme in ("postgresql", "postgres"):
            dbname = parsed.path.lstrip("/")
            if not dbname:
                raise ConfigurationError("LEDGER_DATABASE_URL postgresql://… needs a database name")
            hosts, ports = _hosts(parsed.netloc.rpartition("@")[2])
            attrs = parse_qs(parsed.query).get("target_session_attrs", [""])[-1]
            return cls(
                kind="postgres",
                host=hosts,
                port=int(ports) if ports.isdigit() else ports,
                user=unquote(parsed.username or "postgres"),
                password=unquote(parsed.password or ""),
                dbname=dbname,
                target_session_attrs=attrs,
            )
        raise ConfigurationError(f"Unsupported LEDGER_DATABASE_URL scheme: {parsed.scheme!r}")

    def conninfo(self) -> str:
        parts = [f"host={self.host}", f"port={self.port}", f"user={self.user}", f"dbname={self.dbname}"]
        if self.password:
            parts.append(f"password={self.password}")
        if self.target_session_attrs:
            parts.append(f"target_session_attrs={self.target_session_attrs}")
        return " ".join(parts)

    def describe(self) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.sqlite_path}"
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.dbname}"


def _hosts(netloc: str) -> tuple[str, str]:
    """``h1:5432,h2:5433`` (a multi-host URL, as libpq takes it) → ``("h1,h2", "5432,5433")``; one host:
    ``("h1", "5432")``. A host without a port gets 5432; IPv6 hosts are written in brackets."""
    hosts, ports = [], []
    for part in netloc.split(","):
        host, _, port = part.rpartition(":") if not part.endswith("]") else (part, "", "")
        if not host:  # no colon: the whole part is the host
            host, port = part, ""
        if port and not port.isdigit():
            raise ConfigurationError("LEDGER_DATABASE_URL: a port must be a number")
        hosts.append(unquote(host.strip("[]")) or "127.0.0.1")
        ports.append(port or "5432")
    return ",".join(hosts), ",".join(ports)


def kept_beside_database(db: DatabaseConfig, suffix: str, setting: str, make: Callable[[], str]) -> str:
    """A key that SQLite keeps beside its database file (``<file><suffix>``, mode 0600), made once by ``make``;
    on PostgreSQL the setting must be given instead. Made atomically: when two processes start together,
    the file the first one links is the one both keep."""
    if db.kind != "sqlite":
        raise ConfigurationError(f"{setting} must be set when the ledger runs on PostgreSQL")
    assert db.sqlite_path is not None
    path = db.sqlite_path.with_name(db.sqlite_path.name + suffix)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{secrets.token_hex(8)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(make())
        try:
            os.link(draft, path)  # refused if another process made it first: theirs is kept
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def ed25519_seed(value: str, setting: str) -> bytes:
    """A 32-byte Ed25519 seed given in base64 (standard or URL-safe alphabet, padding optional)."""
    text = value.strip().replace("-", "+").replace("_", "/")
    try:
        seed = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except ValueError:
        seed = b""
    if len(seed) != 32:
        raise ConfigurationError(f"{setting} must be a 32-byte Ed25519 seed in base64 (cheque-ledger audit new-key)")
    return seed


def new_seed() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def load_secret(db: DatabaseConfig, value: str | None) -> bytes:
    """The secret given (LEDGER_SECRET), or (SQLite only) one generated once and kept beside the database file."""
    if value:
        return value.encode()
    return kept_beside_database(db, ".secret", "LEDGER_SECRET", lambda: secrets.token_urlsafe(48)).encode()


def load_signing_key(db: DatabaseConfig, value: str | None) -> bytes:
    """The 32-byte Ed25519 seed that signs checkpoints: LEDGER_SIGNING_KEY (base64), or (SQLite only) one
    generated once and kept beside the database file, as the secret is."""
    value = value or kept_beside_database(db, ".signing-key", "LEDGER_SIGNING_KEY", new_seed)
    return ed25519_seed(value, "LEDGER_SIGNING_KEY")
