"""Configuration from the environment (docs/configuration.md lists every variable).

One URL chooses the store: SISHUANG_DATABASE_URL=postgresql://user:pw@host:5432/db?schema=s
for PostgreSQL, sqlite:///path/to/file for an SQLite file; without it the store is the
SQLite file <data dir>/sishuang.sqlite3, created on first run. The library's own
POSTGRES_* variables work too when PERSISTENCE_MODULE=eventsourcing.postgres is set.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from domain.limits import LIMITS


class ConfigError(ValueError):
    pass


MIN_SECRET_LEN = 16


def _bounded_int(value: str | None, default: int, low: int, high: int) -> int:
    if value is None or not value.strip():
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{value!r} is not a whole number") from None
    if not low <= number <= high:
        raise ConfigError(f"{number} is outside {low}..{high}")
    return number


def cors_origins(value: str) -> tuple[str, ...]:
    """SISHUANG_CORS_ORIGINS: origins separated by commas, each scheme://host[:port]
    (https, or http for a local test page), exactly as a browser sends it."""
    found: list[str] = []
    for raw in value.split(","):
        origin = raw.strip()
        if not origin:
            continue
        parsed = urlparse(origin)
        if (
            parsed.scheme not in ("https", "http")
            or not parsed.hostname
            or parsed.path not in ("", "/")
            or parsed.query
            or parsed.fragment
            or "*" in origin
        ):
            raise ConfigError(f"{origin!r} is not an origin (scheme://host[:port])")
        found.append(f"{parsed.scheme}://{parsed.netloc}")
    return tuple(dict.fromkeys(found))


def public_url(value: str) -> str:
    """SISHUANG_PUBLIC_URL: the address people reach the service at, scheme://host[:port]
    with an optional path prefix (a deployment behind a proxy: the QR posters point
    there); empty: the address each request came to."""
    url = value.strip().rstrip("/")
    if not url:
        return ""
    parsed = urlparse(url)
    if (
        parsed.scheme not in ("https", "http")
        or not parsed.hostname
        or parsed.query
        or parsed.fragment
        or parsed.params
        or any(ch.isspace() for ch in url)
    ):
        raise ConfigError(f"{value!r} is not an address (scheme://host[:port][/path])")
    return url


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on", "y", "t")


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    database_url: str = ""
    lock_timeout_seconds: int = 5
    run_projections: bool = True
    read_wait_seconds: float = 2.0
    poll_interval_seconds: float = 0.25
    sweep_seconds: float = 60.0
    log_format: str = "console"
    log_level: str = "info"
    token_secret: str = ""
    pool_size: int = 5
    seal_key: str = ""  # the checkpoint signing key: the key text or a file path
    log_origin: str = "sishuang"  # checkpoint origins: <log_origin>/community/<id>
    checkpoint_seconds: float = 300.0
    max_json_bytes: int = LIMITS.max_json_bytes
    max_header_bytes: int = LIMITS.max_header_bytes
    # Messages (docs/notifications.md). The delivery worker's pause between rounds: 0 is
    # off (the default when Settings are made in code, as the tests do); from the
    # environment the projecting process delivers every 10 s.
    delivery_seconds: float = 0.0
    delivery_batch: int = 50
    sms_url: str = ""  # the provider's send-SMS URL; empty: the log sink (development)
    sms_sign_name: str = ""  # 短信签名, as registered with the provider
    sms_access_key_id: str = ""
    sms_access_key_secret: str = ""
    sms_templates: Mapping[str, str] = field(default_factory=dict)  # message kind -> id
    sms_connect_timeout_seconds: float = 3.0
    sms_timeout_seconds: float = 10.0
    # Origins a separately hosted H5 page or mini-program calls the API from (CORS); none
    # by default: no other origin may.
    cors_origins: tuple[str, ...] = ()
    # Where people reach the service (the QR posters' join links); empty: the address
    # a request came to.
    public_url: str = ""
    # Tests and rehearsals only: a file holding seconds the clock runs ahead (api.clocks).
    clock_offset_file: str = ""
    passthrough: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("SISHUANG_DATA_DIR", "data"))
        default_format = "console" if sys.stderr.isatty() else "json"
        passthrough = {
            k: v
            for k, v in env.items()
            if k.startswith(("POSTGRES_", "SQLITE_")) or k == "PERSISTENCE_MODULE"
        }
        return cls(
            data_dir=data_dir,
            database_url=env.get("SISHUANG_DATABASE_URL", ""),
            lock_timeout_seconds=int(env.get("SISHUANG_LOCK_TIMEOUT", "5")),
            run_projections=_flag(env.get("SISHUANG_PROJECTIONS_IN_PROCESS"), True),
            read_wait_seconds=float(env.get("SISHUANG_READ_WAIT_SECONDS", "2.0")),
            poll_interval_seconds=float(env.get("SISHUANG_POLL_INTERVAL_SECONDS", "0.25")),
            sweep_seconds=float(env.get("SISHUANG_SWEEP_SECONDS", "60")),
            log_format=env.get("SISHUANG_LOG_FORMAT", default_format),
            log_level=env.get("SISHUANG_LOG_LEVEL", "info"),
            token_secret=env.get("SISHUANG_TOKEN_SECRET", ""),
            pool_size=int(env.get("SISHUANG_DB_POOL_SIZE", "5")),
            seal_key=env.get("SISHUANG_SEAL_KEY", ""),
            log_origin=env.get("SISHUANG_LOG_ORIGIN", "sishuang"),
            checkpoint_seconds=float(env.get("SISHUANG_CHECKPOINT_SECONDS", "300")),
            max_json_bytes=_bounded_int(
                env.get("SISHUANG_MAX_JSON_BYTES"), LIMITS.max_json_bytes, 1024, 1024 * 1024
            ),
            max_header_bytes=_bounded_int(
                env.get("SISHUANG_MAX_HEADER_BYTES"), LIMITS.max_header_bytes, 4096, 1024 * 1024
            ),
            delivery_seconds=float(env.get("SISHUANG_DELIVERY_SECONDS", "10")),
            delivery_batch=_bounded_int(env.get("SISHUANG_DELIVERY_BATCH"), 50, 1, 10_000),
            sms_url=env.get("SISHUANG_SMS_URL", ""),
            sms_sign_name=env.get("SISHUANG_SMS_SIGN_NAME", ""),
            sms_access_key_id=env.get("SISHUANG_SMS_ACCESS_KEY_ID", ""),
            sms_access_key_secret=env.get("SISHUANG_SMS_ACCESS_KEY_SECRET", ""),
            sms_templates=sms_templates(env.get("SISHUANG_SMS_TEMPLATES", "")),
            sms_connect_timeout_seconds=float(env.get("SISHUANG_SMS_CONNECT_TIMEOUT", "3")),
            sms_timeout_seconds=float(env.get("SISHUANG_SMS_TIMEOUT", "10")),
            cors_origins=cors_origins(env.get("SISHUANG_CORS_ORIGINS", "")),
            public_url=public_url(env.get("SISHUANG_PUBLIC_URL", "")),
            clock_offset_file=env.get("SISHUANG_CLOCK_OFFSET_FILE", "").strip(),
            passthrough=passthrough,
        )

    # -- the event store ----------------------------------------------------------------

    def eventsourcing_env(self) -> dict[str, str]:
        """The environment the eventsourcing library's factory reads."""
        url = self.database_url
        if not url and self.passthrough.get("PERSISTENCE_MODULE") == "eventsourcing.postgres":
            env = dict(self.passthrough)
            env.setdefault("POSTGRES_LOCK_TIMEOUT", str(self.lock_timeout_seconds))
            env.setdefault("POSTGRES_PASSWORD", "")
            env.setdefault("POSTGRES_POOL_SIZE", str(self.pool_size))
            env.pop("POSTGRES_ENABLE_DB_FUNCTIONS", None)
            env.setdefault("APPLICATION_RECORDER_TOPIC", PG_RECORDER_TOPIC)
            return env
        if url.startswith(("postgresql://", "postgres://")):
            return postgres_env(url, self.lock_timeout_seconds, self.pool_size)
        if url.startswith("sqlite:///"):
            path = Path(unquote(url[len("sqlite:///") :]))
        elif url:
            raise ConfigError(f"unsupported SISHUANG_DATABASE_URL scheme: {url.split(':')[0]}")
        else:
            path = self.data_dir / "sishuang.sqlite3"
            self.secure_data_dir()
        path.parent.mkdir(parents=True, exist_ok=True)
        private_file(path)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(path),
            "SQLITE_LOCK_TIMEOUT": str(self.lock_timeout_seconds),
        }

    @property
    def store_kind(self) -> str:
        return (
            "postgres"
            if self.eventsourcing_env()["PERSISTENCE_MODULE"].endswith("postgres")
            else "sqlite"
        )

    def secure_data_dir(self) -> Path:
        """The data dir (the store, photos, the token secret, the signing key: names and
        phones of residents): created if missing, readable by the service's user only."""
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.data_dir, 0o700)
        return self.data_dir

    # -- tokens ---------------------------------------------------------------------------

    def secret(self) -> bytes:
        """The token signing secret: from SISHUANG_TOKEN_SECRET, or a file in the data
        dir created on first use (every API process of one deployment must share it).

        The file appears whole or not at all (written aside, then linked into place), so
        processes starting together all read the same secret, never an empty one.
        """
        secret = self.token_secret or self._secret_file()
        if len(secret) < MIN_SECRET_LEN:
            raise ConfigError(f"the token secret must be at least {MIN_SECRET_LEN} characters long")
        return secret.encode()

    def _secret_file(self) -> str:
        path = self.data_dir / "token-secret"
        if not path.exists():
            self.secure_data_dir()
            fd, staging = tempfile.mkstemp(dir=self.data_dir, prefix=".token-secret-")
            try:
                with os.fdopen(fd, "w") as f:
                    f.write(secrets.token_hex(32))
                os.chmod(staging, 0o600)
                with contextlib.suppress(FileExistsError):
                    os.link(staging, path)  # atomic: the first process's secret wins
            finally:
                os.unlink(staging)
        return path.read_text().strip()


def sms_templates(text: str) -> dict[str, str]:
    """SISHUANG_SMS_TEMPLATES: the provider's template id per message kind, as
    `kind=id,kind=id` (or a JSON object); every kind must be one the catalogue knows."""
    from domain.messages import CATALOGUE

    text = text.strip()
    if not text:
        return {}
    if text.startswith("{"):
        import json

        try:
            raw = json.loads(text)
        except ValueError as e:
            raise ConfigError(f"SISHUANG_SMS_TEMPLATES is not valid JSON: {e}") from None
        if not isinstance(raw, dict):
            raise ConfigError("SISHUANG_SMS_TEMPLATES: a JSON object of kind -> template id")
        pairs = {str(k): str(v) for k, v in raw.items()}
    else:
        pairs = {}
        for item in text.split(","):
            kind, sep, template = item.partition("=")
            if not sep or not kind.strip() or not template.strip():
                raise ConfigError(f"SISHUANG_SMS_TEMPLATES: {item!r} is not kind=template_id")
            pairs[kind.strip()] = template.strip()
    known = {spec.sms_key for spec in CATALOGUE.values() if spec.sms}
    unknown = sorted(set(pairs) - known)
    if unknown:
        raise ConfigError(
            f"SISHUANG_SMS_TEMPLATES names kinds that send no SMS: {', '.join(unknown)}"
        )
    return pairs


# -- the sealer's signing key ---------------------------------------------------------------


def signing_key(settings: Settings) -> Any:
    """The checkpoint signing key (replay.checkpoint.SigningKey): from SISHUANG_SEAL_KEY
    (the key itself, or a file path), or `<data>/seal.key`, created on first use beside
    its public verifier key `<data>/seal.vkey` (what auditors get out of band). Never
    from the database."""
    from replay.checkpoint import SigningKey, load_signing_key, save_signing_key

    if settings.seal_key:
        return load_signing_key(settings.seal_key)
    path = settings.data_dir / "seal.key"
    if not path.exists():
        settings.secure_data_dir()
        staging = settings.data_dir / f".seal-key-{secrets.token_hex(6)}"
        save_signing_key(staging, SigningKey.generate(_key_name(settings.log_origin)))
        try:
            with contextlib.suppress(FileExistsError):
                os.link(staging, path)  # atomic: the first process's key wins
        finally:
            os.unlink(staging)
    key = load_signing_key(str(path))
    vkey = settings.data_dir / "seal.vkey"
    if not vkey.exists() or vkey.read_text().strip() != key.vkey:
        vkey.write_text(key.vkey + "\n")
    return key


def private_file(path: Path) -> None:
    """An SQLite store readable and writable by its owner only (0600), created so before
    the first connection; SQLite gives its -wal and -shm files the same mode."""
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for each in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if each.exists():
            os.chmod(each, 0o600)


def _key_name(origin: str) -> str:
    """A note key name from the origin: no spaces or plus signs."""
    return "".join(c for c in origin if c not in " +\t\n") or "sishuang"


PG_RECORDER_TOPIC = "projections.pgrecorder:LargeSaveRecorder"  # see projections/pgrecorder.py


def postgres_env(url: str, lock_timeout: int = 5, pool_size: int = 5) -> dict[str, str]:
    parsed = urlparse(url)
    query = parse_qs(parsed.query)
    if not parsed.path.strip("/"):
        raise ConfigError("the PostgreSQL URL names no database")
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": unquote(parsed.path.lstrip("/")),
        "POSTGRES_HOST": parsed.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parsed.port or 5432),
        "POSTGRES_USER": unquote(parsed.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parsed.password or ""),
        "POSTGRES_LOCK_TIMEOUT": str(lock_timeout),
        "POSTGRES_POOL_SIZE": str(pool_size),
        "POSTGRES_CONNECT_TIMEOUT": "5",
        "APPLICATION_RECORDER_TOPIC": PG_RECORDER_TOPIC,
    }
    if "schema" in query:
        env["POSTGRES_SCHEMA"] = query["schema"][0]
    return env
