"""Embedded, versioned, crash-safe table store on local disk.

Why this exists: editors publish new data from the UI while many sessions read
it. Every publish becomes a new immutable version so a bad upload can be rolled
back, and a crash or full disk in the middle of a publish must never take the
dashboard down or lose an earlier version.

On-disk layout (one directory per table)::

    root/
      <table>/
        manifest.json        # the source of truth: list of committed versions
        v000001.parquet      # immutable data file of version 1
        v000002.parquet
        .lock                # inter-process writer lock (filelock)
        .tmp-*               # in-flight temp files (ignored, swept by writers)

Commit protocol: the parquet file is written to a temp file in the same
directory, fsynced and ``os.replace``-d onto ``vNNNNNN.parquet``; the directory
is fsynced; only then is ``manifest.json`` atomically replaced the same way. A
version exists only once it is listed in the manifest, so a crash at any moment
leaves either the old or the new manifest, never a half-written one. Parquet or
temp files that are not in the manifest (crash leftovers) are ignored by
readers and deleted/overwritten by the next writer, which holds the lock.

Writers of a table are serialised across processes with
``filelock.FileLock(root/<table>/.lock)``; readers take no lock because they only
ever see a complete manifest and every data file carries its sha256 there.

This module deliberately does not import streamlit.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import filelock
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = [
    "DamagedManifest",
    "DamagedVersion",
    "InvalidFrame",
    "InvalidTableName",
    "LocalStore",
    "MANIFEST_NAME",
    "Store",
    "StoreError",
    "StoreWriteError",
    "UnknownTable",
    "UnknownVersion",
    "VersionInfo",
    "data_file_name",
    "validate_table_name",
]

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
LOCK_NAME = ".lock"
TMP_PREFIX = ".tmp-"
MANIFEST_FORMAT = 1
_TABLE_NAME_RE = re.compile(r"[a-z0-9_]{1,64}")
_DATA_FILE_RE = re.compile(r"v(\d{6,})\.parquet")


# --------------------------------------------------------------------------- errors


class StoreError(Exception):
    """Base class of every error raised by the store, so the UI can catch one type."""


class InvalidTableName(StoreError, ValueError):
    """The table name is not ``[a-z0-9_]{1,64}``; rejected so it cannot escape the root."""


class InvalidFrame(StoreError, ValueError):
    """The DataFrame cannot be stored as parquet (e.g. mixed-type object column)."""


class UnknownTable(StoreError, LookupError):
    """No version of this table has ever been published."""


class UnknownVersion(StoreError, LookupError):
    """The table exists but the requested version number is not in its manifest."""


class DamagedVersion(StoreError):
    """A committed version's data file is missing, truncated or fails its checksum."""


class DamagedManifest(StoreError):
    """The manifest itself cannot be parsed; writes are refused to protect history."""


class StoreWriteError(StoreError):
    """A publish failed on I/O (disk full, read-only folder, lock timeout).

    The previous version keeps serving; no partial version becomes visible.
    """


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class VersionInfo:
    """Metadata of one immutable version, as recorded in the table's manifest."""

    table: str
    version: int
    created_at: str  # UTC, ISO 8601
    editor: str
    note: str
    source_sha256: str | None
    source_name: str | None
    rows: int
    content_sha256: str  # sha256 of the parquet file bytes
    rollback_of: int | None = None


_INFO_FIELDS = tuple(f.name for f in dataclasses.fields(VersionInfo))


def _info_to_entry(info: VersionInfo) -> dict[str, Any]:
    entry = dataclasses.asdict(info)
    del entry["table"]  # implied by the directory; kept once at manifest top level
    entry["file"] = data_file_name(info.version)  # for humans; readers derive it
    return entry


def _entry_to_info(table: str, entry: Mapping[str, Any]) -> VersionInfo:
    values = {name: entry.get(name) for name in _INFO_FIELDS if name != "table"}
    info = VersionInfo(table=table, **values)
    if not isinstance(info.version, int) or info.version < 1:
        raise ValueError(f"bad version number {info.version!r}")
    if not isinstance(info.content_sha256, str):
        raise ValueError(f"version {info.version} has no content_sha256")
    return info


# --------------------------------------------------------------------------- protocol


@runtime_checkable
class Store(Protocol):
    """What the dashboard needs from a table store; ``LocalStore`` is one backend."""

    def tables(self) -> list[str]: ...

    def read(self, table: str, version: int | None = None) -> pd.DataFrame: ...

    def read_with_fallback(self, table: str) -> tuple[pd.DataFrame, VersionInfo, list[str]]: ...

    def publish(
        self,
        table: str,
        frame: pd.DataFrame,
        *,
        note: str,
        editor: str,
        source_sha256: str | None = None,
        source_name: str | None = None,
    ) -> VersionInfo: ...

    def history(self, table: str) -> list[VersionInfo]: ...

    def rollback(self, table: str, version: int, *, editor: str, note: str) -> VersionInfo: ...

    def latest_version(self, table: str) -> int | None: ...

    def fingerprint(self) -> str: ...

    def seed(
        self,
        tables: Mapping[str, pd.DataFrame],
        *,
        editor: str = "seed",
        note: str = "Initial data",
    ) -> list[VersionInfo]: ...


# --------------------------------------------------------------------------- helpers


def validate_table_name(table: str) -> str:
    """Return ``table`` if it is a safe directory name, else raise ``InvalidTableName``."""
    if not isinstance(table, str) or not _TABLE_NAME_RE.fullmatch(table):
        raise InvalidTableName(
            f"Invalid table name {table!r}: use 1-64 characters of lowercase a-z, 0-9 and '_'."
        )
    return table


def data_file_name(version: int) -> str:
    """File name of a version's parquet file (zero-padded so names sort by version)."""
    return f"v{version:06d}.parquet"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _encode_frame(frame: pd.DataFrame) -> bytes:
    """Serialise to parquet bytes up front so the hash is of exactly what we write."""
    if not isinstance(frame, pd.DataFrame):
        raise InvalidFrame(f"Expected a pandas DataFrame, got {type(frame).__name__}.")
    try:
        arrow = pa.Table.from_pandas(frame, preserve_index=False)
        sink = pa.BufferOutputStream()
        pq.write_table(arrow, sink)
    except (pa.ArrowException, ValueError, TypeError) as exc:
        raise InvalidFrame(f"Cannot store this table as parquet: {exc}") from exc
    return sink.getvalue().to_pybytes()


def _decode_frame(data: bytes) -> pd.DataFrame:
    return pq.read_table(pa.BufferReader(data)).to_pandas()


def _fsync_dir(directory: Path) -> None:
    """Make renames/creations in ``directory`` durable (no-op where unsupported)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unlink_quietly(path: Path | str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _atomic_replace(path: Path, data: bytes) -> None:
    """Write ``data`` to a same-directory temp file, fsync it, then rename onto ``path``.

    The caller fsyncs the directory. On failure the temp file is removed and the
    previous content of ``path`` (if any) is untouched.
    """
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        _unlink_quietly(tmp)
        raise


def _describe_os_error(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "the data folder is read-only or not writable"
    if isinstance(exc, TimeoutError):
        return "another publish is holding the table lock for too long"
    return str(exc) or type(exc).__name__


# --------------------------------------------------------------------------- LocalStore


class LocalStore:
    """Versioned parquet tables in ``root``; safe for many processes and threads.

    ``history()`` returns versions **newest first** (the order the UI shows them).
    ``read()`` is strict and raises on a damaged version; ``read_with_fallback()``
    is what pages should use to keep serving the newest intact version.
    """

    def __init__(self, root: Path | str, *, lock_timeout: float = 60.0) -> None:
        self.root = Path(root)
        self.lock_timeout = lock_timeout

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    # ----------------------------------------------------------------- paths / manifest

    def _table_dir(self, table: str) -> Path:
        return self.root / validate_table_name(table)

    def _load_manifest(self, table: str) -> list[VersionInfo] | None:
        """Committed versions, oldest first; ``None`` if the table has no manifest."""
        path = self._table_dir(table) / MANIFEST_NAME
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            doc = json.loads(raw.decode("utf-8"))
            versions = [_entry_to_info(table, e) for e in doc["versions"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise DamagedManifest(
                f"The manifest of table {table!r} ({path}) is unreadable: {exc}"
            ) from exc
        versions.sort(key=lambda v: v.version)
        return versions

    def _require_versions(self, table: str) -> list[VersionInfo]:
        versions = self._load_manifest(table)
        if not versions:
            raise UnknownTable(f"Unknown table {table!r}: nothing has been published yet.")
        return versions

    @staticmethod
    def _manifest_bytes(table: str, versions: list[VersionInfo]) -> bytes:
        # Append-only and deterministic, so the file strictly grows on every
        # publish; fingerprint() relies on that.
        doc = {
            "format": MANIFEST_FORMAT,
            "table": table,
            "versions": [_info_to_entry(v) for v in versions],
        }
        return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")

    # ----------------------------------------------------------------- reading

    def tables(self) -> list[str]:
        """Names of tables with at least one published version, sorted."""
        try:
            entries = list(os.scandir(self.root))
        except FileNotFoundError:
            return []
        return sorted(
            e.name
            for e in entries
            if _TABLE_NAME_RE.fullmatch(e.name)
            and e.is_dir()
            and os.path.isfile(os.path.join(e.path, MANIFEST_NAME))
        )

    def latest_version(self, table: str) -> int | None:
        """Newest committed version number, or ``None`` if the table does not exist."""
        versions = self._load_manifest(table)
        return versions[-1].version if versions else None

    def history(self, table: str) -> list[VersionInfo]:
        """All versions, newest first. Raises ``UnknownTable``."""
        return list(reversed(self._require_versions(table)))

    def _load_verified(self, info: VersionInfo) -> tuple[bytes, pd.DataFrame]:
        """Read a version's bytes once, check its sha256 and that it parses."""
        path = self._table_dir(info.table) / data_file_name(info.version)
        label = f"Version {info.version} of table {info.table!r}"
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise DamagedVersion(f"{label} is damaged: its data file {path.name} is missing.") from exc
        except OSError as exc:
            raise DamagedVersion(f"{label} is damaged: cannot read {path.name}: {exc}") from exc
        if _sha256(data) != info.content_sha256:
            raise DamagedVersion(
                f"{label} is damaged: {path.name} fails its checksum "
                f"({len(data)} bytes; truncated or modified)."
            )
        try:
            return data, _decode_frame(data)
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise DamagedVersion(f"{label} is damaged: {path.name} is not valid parquet: {exc}") from exc

    def _read_verified(self, info: VersionInfo) -> pd.DataFrame:
        return self._load_verified(info)[1]

    def read(self, table: str, version: int | None = None) -> pd.DataFrame:
        """The given version (latest when ``None``), verified against its checksum.

        Raises ``UnknownTable``, ``UnknownVersion`` or ``DamagedVersion``.
        """
        versions = self._require_versions(table)
        if version is None:
            return self._read_verified(versions[-1])
        for info in versions:
            if info.version == version:
                return self._read_verified(info)
        raise UnknownVersion(
            f"Table {table!r} has no version {version!r} "
            f"(versions 1..{versions[-1].version} exist)."
        )

    def read_with_fallback(self, table: str) -> tuple[pd.DataFrame, VersionInfo, list[str]]:
        """Newest *intact* version plus warnings naming any newer damaged versions.

        Why: a damaged file must degrade the dashboard to slightly older data,
        not crash it. Raises ``DamagedVersion`` only if no version is intact.
        """
        versions = self._require_versions(table)
        warnings: list[str] = []
        for info in reversed(versions):
            try:
                frame = self._read_verified(info)
            except DamagedVersion as exc:
                warnings.append(str(exc))
                continue
            if warnings:
                warnings.append(f"Serving version {info.version} of table {table!r} instead.")
            return frame, info, warnings
        raise DamagedVersion(
            f"No intact version of table {table!r} is left: " + " ".join(warnings)
        )

    def fingerprint(self) -> str:
        """Cheap token that changes whenever anything is published.

        One ``scandir`` of the root plus one ``stat`` per manifest. Each publish
        replaces the manifest with a new file (new inode, new mtime) that is also
        strictly larger (history is append-only), so the token always changes.
        """
        parts: list[str] = []
        try:
            entries = sorted(os.scandir(self.root), key=lambda e: e.name)
        except FileNotFoundError:
            entries = []
        for entry in entries:
            if not _TABLE_NAME_RE.fullmatch(entry.name):
                continue
            try:
                st = os.stat(os.path.join(entry.path, MANIFEST_NAME))
            except (FileNotFoundError, NotADirectoryError):
                continue
            parts.append(f"{entry.name}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}")
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]

    # ----------------------------------------------------------------- writing

    @contextlib.contextmanager
    def _writer(self, table: str) -> Iterator[Path]:
        """Hold the table's inter-process lock; I/O failures become StoreWriteError."""
        tdir = self._table_dir(table)
        try:
            created = not tdir.is_dir()
            tdir.mkdir(parents=True, exist_ok=True)
            if created:
                _fsync_dir(tdir.parent)
            lock = filelock.FileLock(str(tdir / LOCK_NAME), timeout=self.lock_timeout)
            lock.acquire()
        except OSError as exc:
            raise StoreWriteError(
                f"Cannot publish to table {table!r}: {_describe_os_error(exc)} ({exc})."
            ) from exc
        try:
            yield tdir
        finally:
            lock.release()

    @staticmethod
    def _sweep_orphans(tdir: Path, committed: set[int]) -> None:
        """Delete crash leftovers; safe because we hold the lock and readers ignore them."""
        try:
            names = os.listdir(tdir)
        except OSError:
            return
        for name in names:
            m = _DATA_FILE_RE.fullmatch(name)
            if name.startswith(TMP_PREFIX) or (m and int(m.group(1)) not in committed):
                _unlink_quietly(tdir / name)

    def _commit(
        self,
        table: str,
        tdir: Path,
        versions: list[VersionInfo],
        payload: bytes,
        *,
        rows: int,
        editor: str,
        note: str,
        source_sha256: str | None,
        source_name: str | None,
        rollback_of: int | None,
    ) -> VersionInfo:
        """Write data file, then manifest. Caller holds the lock and passed a fresh manifest."""
        self._sweep_orphans(tdir, {v.version for v in versions})
        version = (versions[-1].version if versions else 0) + 1
        info = VersionInfo(
            table=table,
            version=version,
            created_at=_utc_now(),
            editor=editor,
            note=note,
            source_sha256=source_sha256,
            source_name=source_name,
            rows=rows,
            content_sha256=_sha256(payload),
            rollback_of=rollback_of,
        )
        data_path = tdir / data_file_name(version)
        manifest_path = tdir / MANIFEST_NAME
        try:
            _atomic_replace(data_path, payload)
            _fsync_dir(tdir)  # data file's name is durable before the manifest names it
            _atomic_replace(manifest_path, self._manifest_bytes(table, [*versions, info]))
        except OSError as exc:
            # The manifest was not replaced, so the new data file is an orphan.
            _unlink_quietly(data_path)
            raise StoreWriteError(
                f"Publishing version {version} of table {table!r} failed: "
                f"{_describe_os_error(exc)} ({exc}). "
                f"Nothing was changed; version {version - 1 or 'none'} is still served."
            ) from exc
        try:
            _fsync_dir(tdir)
        except OSError as exc:  # committed and visible; only power-loss durability is unsure
            log.warning("fsync of %s after publishing %s v%d failed: %s", tdir, table, version, exc)
        return info

    def _versions_for_write(self, table: str) -> list[VersionInfo]:
        versions = self._load_manifest(table)  # DamagedManifest: refuse, never overwrite history
        return versions or []

    def publish(
        self,
        table: str,
        frame: pd.DataFrame,
        *,
        note: str,
        editor: str,
        source_sha256: str | None = None,
        source_name: str | None = None,
    ) -> VersionInfo:
        """Store ``frame`` as the next version (1, 2, 3 ...) of ``table``.

        Raises ``InvalidTableName``, ``InvalidFrame`` or ``StoreWriteError``.
        """
        validate_table_name(table)
        payload = _encode_frame(frame)  # CPU work outside the lock
        with self._writer(table) as tdir:
            versions = self._versions_for_write(table)
            return self._commit(
                table,
                tdir,
                versions,
                payload,
                rows=len(frame),
                editor=editor,
                note=note,
                source_sha256=source_sha256,
                source_name=source_name,
                rollback_of=None,
            )

    def rollback(self, table: str, version: int, *, editor: str, note: str) -> VersionInfo:
        """Republish an old version's exact bytes as a new version; history is kept.

        Raises ``UnknownTable``, ``UnknownVersion``, ``DamagedVersion`` or ``StoreWriteError``.
        """
        validate_table_name(table)
        self._require_versions(table)
        with self._writer(table) as tdir:
            versions = self._versions_for_write(table)
            target = next((v for v in versions if v.version == version), None)
            if target is None:
                raise UnknownVersion(f"Cannot roll back table {table!r}: no version {version!r}.")
            payload, _ = self._load_verified(target)  # never republish a damaged file
            return self._commit(
                table,
                tdir,
                versions,
                payload,
                rows=target.rows,
                editor=editor,
                note=note,
                source_sha256=target.source_sha256,
                source_name=target.source_name,
                rollback_of=target.version,
            )

    def seed(
        self,
        tables: Mapping[str, pd.DataFrame],
        *,
        editor: str = "seed",
        note: str = "Initial data",
    ) -> list[VersionInfo]:
        """Publish version 1 of every table that has none yet; returns what was published.

        Idempotent, and safe when several processes start at once: the
        "has a version?" check and the publish happen under the table lock.
        """
        for name in tables:
            validate_table_name(name)
        published: list[VersionInfo] = []
        for name, frame in tables.items():
            if self.latest_version(name) is not None:  # cheap lock-free fast path
                continue
            payload = _encode_frame(frame)
            with self._writer(name) as tdir:
                versions = self._versions_for_write(name)
                if versions:
                    continue  # another process seeded it meanwhile
                published.append(
                    self._commit(
                        name,
                        tdir,
                        versions,
                        payload,
                        rows=len(frame),
                        editor=editor,
                        note=note,
                        source_sha256=None,
                        source_name=None,
                        rollback_of=None,
                    )
                )
        return published
