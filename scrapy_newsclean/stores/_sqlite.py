"""``sqlite:///path/state.db``: the embedded default, persistent across runs.

Lookups run against an in-memory :class:`~scrapy_newsclean.neardup._index.NearIndex`
loaded at open; each commit is one ``INSERT`` in WAL mode with
``synchronous=NORMAL``, so a killed process loses nothing it committed and
leaves no corruption (WAL recovery at the next open). Reservations live in
memory only: a crash forgets them, as it should (their items never reached
storage). One process at a time: a second crawl on the same file gets
:exc:`~scrapy_newsclean.stores._base.StoreLocked` at open.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy_newsclean.neardup._fingerprint import FINGERPRINT_VERSION, Fingerprint
from scrapy_newsclean.neardup._params import DEFAULT
from scrapy_newsclean.neardup._simhash import to_signed, to_unsigned
from scrapy_newsclean.stores._base import StoreLocked
from scrapy_newsclean.stores._memory import (
    DEFAULT_MAX_TEMPLATE_KEYS,
    Learned,
    MemoryStore,
    Record,
)

if TYPE_CHECKING:
    from typing_extensions import Self

    from scrapy_newsclean.neardup._params import SimhashConfig
    from scrapy_newsclean.stores._base import (
        Reservation,
        StoreOptions,
        TemplateSighting,
    )

#: Expired rows are purged every this many commits (and at open).
PURGE_EVERY = 1000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fingerprints (
    id INTEGER PRIMARY KEY,
    scope TEXT NOT NULL,
    simhash INTEGER NOT NULL,  -- unsigned 64-bit stored as signed int64
    sketch INTEGER NOT NULL,
    content INTEGER NOT NULL,
    size INTEGER NOT NULL,
    url TEXT,
    time REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS fingerprints_time ON fingerprints (time);
CREATE TABLE IF NOT EXISTS templates (
    site TEXT NOT NULL,
    key INTEGER NOT NULL,
    count INTEGER NOT NULL,
    seen REAL NOT NULL DEFAULT 0,  -- when last counted
    sample BLOB NOT NULL DEFAULT x'',  -- 8-byte big-endian simhashes
    PRIMARY KEY (site, key)
) WITHOUT ROWID;
"""
# Template rows of files written before templates expired (0.x) get both columns.
_TEMPLATE_COLUMNS = (
    ("seen", "REAL NOT NULL DEFAULT 0"),
    ("sample", "BLOB NOT NULL DEFAULT x''"),
)


class SQLiteStore(MemoryStore):
    """Fingerprints and templates in one SQLite file, indexed in memory."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        config: SimhashConfig = DEFAULT,
        ttl: float | None = None,
        max_template_keys: int = DEFAULT_MAX_TEMPLATE_KEYS,
    ) -> None:
        super().__init__(config, ttl, max_template_keys)
        self.path = Path(path)
        self.display_uri = f"sqlite:///{self.path}"
        self._db: sqlite3.Connection | None = None
        self._lock_fd: int | None = None
        self._commits = 0

    @classmethod
    def from_uri(cls, uri: str, options: StoreOptions) -> Self:
        """``sqlite:///relative.db`` or ``sqlite:////absolute.db`` (SQLAlchemy's form)."""
        if not uri.startswith("sqlite:///") or len(uri) == len("sqlite:///"):
            raise ValueError(
                f"NEWSCLEAN_STORE must be sqlite:///path/to/file.db, got {uri!r}"
            )
        return cls(uri[len("sqlite:///") :], options.config, options.ttl)

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError(f"{self.display_uri} is not open")
        return self._db

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock()
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA busy_timeout=5000")
        db.executescript(_SCHEMA)
        self._db = db
        self._migrate_templates()
        self._check_version()
        self._load()

    def _lock(self) -> None:
        try:
            import fcntl  # noqa: PLC0415 (POSIX only: Windows has no flock)
        except ImportError as exc:
            raise ValueError(
                f"{self.display_uri}: the SQLite store locks its file with fcntl,"
                " which this platform lacks; set NEWSCLEAN_STORE to memory:// or"
                " redis://host:port/db"
            ) from exc
        fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(fd)
            raise StoreLocked(
                f"{self.display_uri} is in use by another process (another crawl?);"
                " use a different NEWSCLEAN_STORE file or a redis:// store to share"
                " fingerprints between processes"
            ) from exc
        self._lock_fd = fd

    def _check_version(self) -> None:
        row = self.db.execute(
            "SELECT value FROM meta WHERE key = 'fingerprint_version'"
        ).fetchone()
        if row is None:
            self.db.execute(
                "INSERT INTO meta VALUES ('fingerprint_version', ?)",
                (str(FINGERPRINT_VERSION),),
            )
        elif row[0] != str(FINGERPRINT_VERSION):
            raise ValueError(
                f"{self.display_uri} holds fingerprints of version {row[0]}, this "
                f"scrapy-newsclean computes version {FINGERPRINT_VERSION}: use a new"
                " store file"
            )

    def _load(self) -> None:
        """Index every unexpired fingerprint (expired rows are deleted first)."""
        self._indexes.clear()
        self._templates.clear()
        now = time.time()
        self._purge_rows(now)
        rows = self.db.execute(
            "SELECT id, scope, simhash, sketch, content, size FROM fingerprints"
        )
        for ref, scope, simhash, sketch, content, size in rows:
            fp = Fingerprint(
                to_unsigned(simhash), to_unsigned(sketch), to_unsigned(content), size
            )
            if not fp.empty:
                self._index(scope).add(fp, ref)
        top = self.db.execute("SELECT max(id) FROM fingerprints").fetchone()[0]
        self._next_ref = (top or 0) + 1
        self._load_templates(now)

    def _migrate_templates(self) -> None:
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(templates)")}
        for name, declaration in _TEMPLATE_COLUMNS:
            if name not in columns:
                self.db.execute(
                    f"ALTER TABLE templates ADD COLUMN {name} {declaration}"
                )
        if "seen" not in columns:  # their TTL runs from now
            self.db.execute("UPDATE templates SET seen = ?", (time.time(),))

    def _load_templates(self, now: float) -> None:
        """Keep the most frequent live keys of each site, least frequent first."""
        if self.ttl is not None:
            self.db.execute("DELETE FROM templates WHERE seen < ?", (now - self.ttl,))
        self.db.execute(
            "DELETE FROM templates WHERE (site, key) IN (SELECT site, key FROM ("
            " SELECT site, key, row_number() OVER"
            " (PARTITION BY site ORDER BY count DESC, seen DESC) AS n FROM templates"
            ") WHERE n > ?)",
            (self.max_template_keys,),
        )
        for site, key, count, seen, sample in self.db.execute(
            "SELECT site, key, count, seen, sample FROM templates"
            " ORDER BY site, count, seen"
        ):
            simhashes = tuple(
                int.from_bytes(sample[i : i + 8], "big")
                for i in range(0, len(sample), 8)
            )
            learned = Learned(count, seen, simhashes)
            self._templates.setdefault(site, OrderedDict())[to_unsigned(key)] = learned

    def _purge_rows(self, now: float) -> list[tuple[int, str, int]]:
        if self.ttl is None:
            return []
        return [
            (ref, scope, to_unsigned(sketch))
            for ref, scope, sketch in self.db.execute(
                "DELETE FROM fingerprints WHERE time < ? RETURNING id, scope, sketch",
                (now - self.ttl,),
            ).fetchall()
        ]

    async def close(self) -> None:
        self._records.clear()  # reservations are never persisted
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None

    def _lookup(self, ref: int) -> Record | None:
        pending = self._records.get(ref)
        if pending is not None:
            return pending
        row = self.db.execute(
            "SELECT url, time, sketch FROM fingerprints WHERE id = ?", (ref,)
        ).fetchone()
        if row is None:
            return None
        return Record("", row[0], row[1], False, to_unsigned(row[2]))

    def _forget(self, scope: str, ref: int, sketch: int | None) -> None:
        super()._forget(scope, ref, sketch)
        self.db.execute("DELETE FROM fingerprints WHERE id = ?", (ref,))

    def commit_now(self, reservation: Reservation, now: float) -> None:
        if self._records.pop(reservation.ref, None) is None:
            return  # empty fingerprint, or released meanwhile
        fp = reservation.fingerprint
        self.db.execute(
            "INSERT OR REPLACE INTO fingerprints VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                reservation.ref,
                reservation.scope,
                to_signed(fp.simhash),
                to_signed(fp.sketch),
                to_signed(fp.content),
                fp.size,
                reservation.url,
                now,
            ),
        )
        self._commits += 1
        if self._commits % PURGE_EVERY == 0:
            for ref, scope, sketch in self._purge_rows(now):
                self._index(scope).remove(ref, sketch)

    def release_now(self, reservation: Reservation) -> None:
        if self._records.pop(reservation.ref, None) is not None:
            self._index(reservation.scope).remove(
                reservation.ref, reservation.fingerprint.sketch
            )

    def add_template_keys_now(self, sighting: TemplateSighting, now: float) -> None:
        super().add_template_keys_now(sighting, now)
        learned = self._templates[sighting.site]
        rows = []
        for key in (*sighting.plain, *sighting.spread):
            entry = learned.get(key)
            if entry is not None:  # else cut by max_template_keys
                sample = b"".join(h.to_bytes(8, "big") for h in entry.sample)
                rows.append(
                    (sighting.site, to_signed(key), entry.count, entry.seen, sample)
                )
        self.db.executemany(
            "INSERT OR REPLACE INTO templates (site, key, count, seen, sample)"
            " VALUES (?, ?, ?, ?, ?)",
            rows,
        )
