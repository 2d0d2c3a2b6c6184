"""Tests for dashboard.store: versioning, concurrency, crash safety, damage, write failures."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import filelock
import pandas as pd
import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
try:
    import dashboard.store  # noqa: F401
except ImportError:  # no packaging config yet: make `src/` importable
    sys.path.insert(0, str(SRC))

import dashboard.store as store_module  # noqa: E402
from dashboard.store import (  # noqa: E402
    MANIFEST_NAME,
    DamagedManifest,
    DamagedVersion,
    InvalidFrame,
    InvalidTableName,
    LocalStore,
    Store,
    StoreError,
    StoreWriteError,
    UnknownTable,
    UnknownVersion,
    VersionInfo,
    data_file_name,
)


# --------------------------------------------------------------------------- helpers


def sample_frame(n: int = 3, offset: int = 0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": pd.Series(["서울 본사", "부산 지점", None, "대구", "광주"] * n, dtype="str")[: n],
            "qty": pd.array([offset + i if i % 2 == 0 else None for i in range(n)], dtype="Int64"),
            "price": [1.5 * (i + offset) for i in range(n)],
            "day": pd.to_datetime([dt.datetime(2024, 1, 1) + dt.timedelta(days=i) for i in range(n)]),
            "ok": [i % 2 == 0 for i in range(n)],
        }
    )


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def committed_files(tdir: Path) -> set[str]:
    """Everything in a table dir except the lock file."""
    return {name for name in os.listdir(tdir) if name != ".lock"}


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    # children must import the very same module the tests import
    package_parent = Path(store_module.__file__).resolve().parents[1]
    env["PYTHONPATH"] = str(package_parent) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_children(script: str, args_list: list[list[str]], go: Path, timeout: float = 60) -> None:
    """Start all children, wait until each has imported everything, then release them at once."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        for args in args_list
    ]
    try:
        for p in procs:
            assert p.stdout is not None
            line = p.stdout.readline()
            assert line.strip() == "ready", p.stderr.read() if p.stderr else line
        go.touch()
        for p in procs:
            out, err = p.communicate(timeout=timeout)
            assert p.returncode == 0, err
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()


# --------------------------------------------------------------------------- basics


def test_local_store_satisfies_protocol(tmp_path: Path) -> None:
    assert isinstance(LocalStore(tmp_path), Store)


def test_round_trip_preserves_dtypes(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    frame = pd.DataFrame(
        {
            "korean": pd.Series(["가나다", "매출 합계 (원)", None], dtype="str"),
            "nullable_int": pd.array([1, None, -7], dtype="Int64"),
            "float": [1.25, float("nan"), -3.5],
            "timestamp": pd.to_datetime(["2024-01-31", None, "2025-12-01T13:45:00"], format="ISO8601"),
            "date": [dt.date(2024, 2, 29), None, dt.date(1999, 12, 31)],
            "flag": [True, False, True],
            "nullable_bool": pd.array([True, None, False], dtype="boolean"),
            "category": pd.Categorical(["a", "b", "a"]),
        }
    )
    info = store.publish("sales", frame, note="first", editor="kim")
    out = store.read("sales")
    pd.testing.assert_frame_equal(out, frame)
    assert out["korean"].iloc[1] == "매출 합계 (원)"
    assert out["date"].iloc[0] == dt.date(2024, 2, 29)
    assert info.rows == 3


def test_versions_increment_and_history_metadata(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    assert store.latest_version("sales") is None
    v1 = store.publish(
        "sales", sample_frame(3), note="initial upload", editor="kim",
        source_sha256="ab" * 32, source_name="매출.xlsx",
    )
    v2 = store.publish("sales", sample_frame(5, offset=10), note="fix typo", editor="lee")
    assert (v1.version, v2.version) == (1, 2)
    assert store.latest_version("sales") == 2
    assert store.tables() == ["sales"]

    hist = store.history("sales")
    assert [h.version for h in hist] == [2, 1]  # newest first
    assert hist == [v2, v1]
    assert hist[1] == VersionInfo(
        table="sales", version=1, created_at=v1.created_at, editor="kim", note="initial upload",
        source_sha256="ab" * 32, source_name="매출.xlsx", rows=3,
        content_sha256=file_sha(tmp_path / "sales" / "v000001.parquet"), rollback_of=None,
    )
    assert hist[0].rows == 5 and hist[0].editor == "lee" and hist[0].source_name is None
    created = dt.datetime.fromisoformat(v1.created_at)
    assert created.utcoffset() == dt.timedelta(0)
    assert abs((dt.datetime.now(dt.timezone.utc) - created).total_seconds()) < 60
    assert dt.datetime.fromisoformat(v2.created_at) >= created

    pd.testing.assert_frame_equal(store.read("sales", 1), sample_frame(3))
    pd.testing.assert_frame_equal(store.read("sales", 2), sample_frame(5, offset=10))
    pd.testing.assert_frame_equal(store.read("sales"), sample_frame(5, offset=10))

    with pytest.raises(AttributeError):
        v1.version = 9  # type: ignore[misc]  # frozen

    manifest = json.loads((tmp_path / "sales" / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert [e["version"] for e in manifest["versions"]] == [1, 2]
    assert manifest["versions"][0]["source_name"] == "매출.xlsx"


def test_rollback_creates_new_version_with_old_content(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    v1 = store.publish("sales", sample_frame(3), note="good", editor="kim", source_name="a.csv")
    store.publish("sales", sample_frame(4, offset=99), note="bad upload", editor="lee")
    rb = store.rollback("sales", 1, editor="park", note="undo bad upload")

    assert rb.version == 3 and rb.rollback_of == 1
    assert rb.editor == "park" and rb.note == "undo bad upload"
    assert rb.content_sha256 == v1.content_sha256 and rb.rows == v1.rows
    assert rb.source_name == "a.csv"
    pd.testing.assert_frame_equal(store.read("sales"), sample_frame(3))
    # history is never rewritten: the bad version is still there and readable
    assert [h.version for h in store.history("sales")] == [3, 2, 1]
    pd.testing.assert_frame_equal(store.read("sales", 2), sample_frame(4, offset=99))
    assert store.history("sales")[1].rollback_of is None

    with pytest.raises(UnknownVersion):
        store.rollback("sales", 42, editor="park", note="x")
    with pytest.raises(UnknownTable):
        store.rollback("nope", 1, editor="park", note="x")
    assert store.latest_version("sales") == 3


def test_fingerprint_changes_on_publish_and_not_otherwise(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "root")
    fps = [store.fingerprint()]
    assert store.fingerprint() == fps[0]

    for i in range(5):  # back-to-back publishes, same-size frames: must change every time
        store.publish("sales", sample_frame(3), note=f"n{i}", editor="e")
        fps.append(store.fingerprint())
    store.publish("stock", sample_frame(2), note="other table", editor="e")
    fps.append(store.fingerprint())
    store.rollback("sales", 1, editor="e", note="rb")
    fps.append(store.fingerprint())
    assert len(set(fps)) == len(fps)

    # reads, listings and no-op seeds do not change it
    before = store.fingerprint()
    store.read("sales")
    store.read("sales", 2)
    store.read_with_fallback("stock")
    store.history("sales")
    store.tables()
    store.latest_version("sales")
    assert store.seed({"sales": sample_frame(1)}) == []
    assert LocalStore(tmp_path / "root").fingerprint() == before == store.fingerprint()

    # a failed publish is not a publish
    with pytest.raises(InvalidFrame):
        store.publish("sales", pd.DataFrame({"x": [1, "a", 2.5]}), note="bad", editor="e")
    assert store.fingerprint() == before


def test_seed_is_idempotent(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.publish("stock", sample_frame(2), note="existing", editor="kim")
    published = store.seed({"sales": sample_frame(3), "stock": sample_frame(9)})
    assert [(p.table, p.version, p.editor) for p in published] == [("sales", 1, "seed")]
    assert store.seed({"sales": sample_frame(7), "stock": sample_frame(7)}) == []
    assert store.latest_version("sales") == 1 and store.latest_version("stock") == 1
    pd.testing.assert_frame_equal(store.read("stock"), sample_frame(2))
    pd.testing.assert_frame_equal(store.read("sales"), sample_frame(3))
    assert store.tables() == ["sales", "stock"]
    with pytest.raises(InvalidTableName):
        store.seed({"ok_name": sample_frame(1), "../evil": sample_frame(1)})
    assert store.tables() == ["sales", "stock"]  # validated before publishing anything


def test_unknown_table_and_version_errors(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "does_not_exist_yet")
    assert store.tables() == []
    assert store.latest_version("sales") is None
    with pytest.raises(UnknownTable, match="sales"):
        store.read("sales")
    with pytest.raises(UnknownTable):
        store.history("sales")
    with pytest.raises(UnknownTable):
        store.read_with_fallback("sales")
    store.publish("sales", sample_frame(), note="n", editor="e")
    with pytest.raises(UnknownVersion, match="no version 7"):
        store.read("sales", 7)
    with pytest.raises(UnknownVersion):
        store.read("sales", 0)
    assert issubclass(UnknownTable, StoreError) and issubclass(StoreWriteError, StoreError)


@pytest.mark.parametrize(
    "name",
    ["../evil", "..", ".", "", "a/b", "a\\b", "/etc", "Sales", "sales\n", "sales ", "매출",
     "a" * 65, "sales.parquet", "~root", "a\x00b", None, 5],
)
def test_hostile_table_names_rejected(tmp_path: Path, name: object) -> None:
    root = tmp_path / "root"
    store = LocalStore(root)
    for call in (
        lambda: store.publish(name, sample_frame(), note="n", editor="e"),  # type: ignore[arg-type]
        lambda: store.read(name),  # type: ignore[arg-type]
        lambda: store.history(name),  # type: ignore[arg-type]
        lambda: store.latest_version(name),  # type: ignore[arg-type]
        lambda: store.read_with_fallback(name),  # type: ignore[arg-type]
        lambda: store.rollback(name, 1, editor="e", note="n"),  # type: ignore[arg-type]
    ):
        with pytest.raises(InvalidTableName):
            call()
    assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["root"])
    assert not root.exists() or list(root.iterdir()) == []


def test_invalid_frame_is_rejected_without_new_version(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.publish("sales", sample_frame(), note="n", editor="e")
    with pytest.raises(InvalidFrame):
        store.publish("sales", pd.DataFrame({"mixed": [1, "two", 3.0]}), note="n", editor="e")
    with pytest.raises(InvalidFrame):
        store.publish("sales", [1, 2, 3], note="n", editor="e")  # type: ignore[arg-type]
    assert store.latest_version("sales") == 1
    assert committed_files(tmp_path / "sales") == {MANIFEST_NAME, "v000001.parquet"}


def test_damaged_manifest_refuses_publish(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.publish("sales", sample_frame(), note="n", editor="e")
    (tmp_path / "sales" / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    with pytest.raises(DamagedManifest, match="sales"):
        store.read("sales")
    with pytest.raises(DamagedManifest):
        store.publish("sales", sample_frame(), note="n", editor="e")
    assert (tmp_path / "sales" / MANIFEST_NAME).read_text(encoding="utf-8") == "{not json"


# --------------------------------------------------------------------------- damage


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _delete(path: Path) -> None:
    path.unlink()


def _flip_byte(path: Path) -> None:  # same size, parquet may still parse: checksum must catch it
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _empty(path: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize("damage", [_truncate, _delete, _flip_byte, _empty])
def test_damaged_newest_version_falls_back(tmp_path: Path, damage) -> None:
    store = LocalStore(tmp_path)
    for i in range(3):
        store.publish("sales", sample_frame(3 + i, offset=i), note=f"v{i + 1}", editor="e")
    damage(tmp_path / "sales" / "v000003.parquet")

    frame, info, warnings = store.read_with_fallback("sales")
    assert info.version == 2
    pd.testing.assert_frame_equal(frame, sample_frame(4, offset=1))
    assert warnings and "Version 3" in warnings[0] and "damaged" in warnings[0]
    assert not any("Version 2 " in w for w in warnings[:1])

    with pytest.raises(DamagedVersion, match="Version 3 of table 'sales'"):
        store.read("sales", 3)
    with pytest.raises(DamagedVersion):
        store.read("sales")  # strict read of latest
    with pytest.raises(DamagedVersion):
        store.rollback("sales", 3, editor="e", note="n")
    pd.testing.assert_frame_equal(store.read("sales", 2), sample_frame(4, offset=1))

    # healthy store: no warnings; and a new publish heals the head
    store.publish("sales", sample_frame(2), note="v4", editor="e")
    frame, info, warnings = store.read_with_fallback("sales")
    assert (info.version, warnings) == (4, [])


def test_fallback_skips_several_damaged_and_fails_only_when_none_intact(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    for i in range(4):
        store.publish("sales", sample_frame(2, offset=i), note="n", editor="e")
    _truncate(tmp_path / "sales" / "v000004.parquet")
    _delete(tmp_path / "sales" / "v000003.parquet")
    frame, info, warnings = store.read_with_fallback("sales")
    assert info.version == 2
    assert "Version 4" in warnings[0] and "Version 3" in warnings[1]
    _flip_byte(tmp_path / "sales" / "v000002.parquet")
    _empty(tmp_path / "sales" / "v000001.parquet")
    with pytest.raises(DamagedVersion, match="No intact version"):
        store.read_with_fallback("sales")


def test_crash_leftovers_are_ignored_and_overwritten(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.publish("sales", sample_frame(3), note="n", editor="e")
    tdir = tmp_path / "sales"
    # what a writer killed before committing leaves behind
    (tdir / "v000002.parquet").write_bytes(b"half a parquet file")
    (tdir / ".tmp-abc.part").write_bytes(b"junk")
    fp = store.fingerprint()
    assert store.latest_version("sales") == 1
    assert store.read_with_fallback("sales")[2] == []
    assert store.fingerprint() == fp

    info = store.publish("sales", sample_frame(6), note="after crash", editor="e")
    assert info.version == 2
    pd.testing.assert_frame_equal(store.read("sales", 2), sample_frame(6))
    assert committed_files(tdir) == {MANIFEST_NAME, "v000001.parquet", "v000002.parquet"}


# --------------------------------------------------------------------------- write failures


def _failing_on_call(real, n: int, err: int):
    calls = {"n": 0}

    def wrapper(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == n:
            raise OSError(err, os.strerror(err))
        return real(*args, **kwargs)

    return wrapper


@pytest.mark.parametrize(
    ("target", "call_no", "err", "reason"),
    [
        ("mkstemp", 1, errno.EROFS, "read-only"),  # data temp file cannot be created
        ("fsync", 1, errno.ENOSPC, "disk is full"),  # data temp file
        ("replace", 1, errno.ENOSPC, "disk is full"),  # data file rename
        ("fsync", 2, errno.EIO, "Input/output error"),  # directory after the data rename
        ("mkstemp", 2, errno.ENOSPC, "disk is full"),  # manifest temp file
        ("fsync", 3, errno.ENOSPC, "disk is full"),  # manifest temp file
        ("replace", 2, errno.EROFS, "read-only"),  # manifest rename
    ],
)
def test_write_failure_leaves_previous_version_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, call_no: int, err: int, reason: str
) -> None:
    store = LocalStore(tmp_path)
    store.publish("sales", sample_frame(3), note="good", editor="e")
    tdir = tmp_path / "sales"
    fp = store.fingerprint()
    module, attr = (tempfile, "mkstemp") if target == "mkstemp" else (os, target)
    monkeypatch.setattr(module, attr, _failing_on_call(getattr(module, attr), call_no, err))

    with pytest.raises(StoreWriteError) as excinfo:
        store.publish("sales", sample_frame(8), note="doomed", editor="e")
    monkeypatch.undo()

    message = str(excinfo.value)
    assert "'sales'" in message and reason in message and "version 1 is still served" in message
    assert store.latest_version("sales") == 1
    assert len(store.history("sales")) == 1
    assert store.fingerprint() == fp
    pd.testing.assert_frame_equal(store.read("sales"), sample_frame(3))
    assert store.read_with_fallback("sales")[2] == []
    assert committed_files(tdir) == {MANIFEST_NAME, "v000001.parquet"}  # no temp, no orphan

    # the store recovers once the disk is fine again
    assert store.publish("sales", sample_frame(8), note="retry", editor="e").version == 2
    pd.testing.assert_frame_equal(store.read("sales"), sample_frame(8))


def test_read_only_root_for_new_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = LocalStore(tmp_path)
    monkeypatch.setattr(os, "mkdir", _failing_on_call(os.mkdir, 1, errno.EROFS))
    with pytest.raises(StoreWriteError, match="read-only"):
        store.publish("sales", sample_frame(), note="n", editor="e")
    monkeypatch.undo()
    assert store.tables() == [] and store.latest_version("sales") is None


def test_lock_timeout_is_a_write_error(tmp_path: Path) -> None:
    store = LocalStore(tmp_path, lock_timeout=0.2)
    store.publish("sales", sample_frame(), note="n", editor="e")
    with filelock.FileLock(str(tmp_path / "sales" / ".lock")):  # another writer holds it
        with pytest.raises(StoreWriteError, match="lock"):
            store.publish("sales", sample_frame(5), note="n", editor="e")
        pd.testing.assert_frame_equal(store.read("sales"), sample_frame())  # reads need no lock
    assert store.latest_version("sales") == 1


# --------------------------------------------------------------------------- concurrency

PUBLISHER = textwrap.dedent(
    """
    import os, sys, time
    import pandas as pd
    from dashboard.store import LocalStore
    root, worker, count, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    store = LocalStore(root)
    print("ready", flush=True)
    while not os.path.exists(go):
        time.sleep(0.001)
    for i in range(count):
        frame = pd.DataFrame({"worker": [worker] * (i + 1), "i": [i] * (i + 1), "txt": ["한글"] * (i + 1)})
        store.publish("shared", frame, note=f"w{worker} i{i}", editor=f"worker{worker}")
    """
)


def test_concurrent_publishers_get_distinct_versions(tmp_path: Path) -> None:
    workers, each = 6, 5
    root = tmp_path / "store"
    run_children(
        PUBLISHER,
        [[str(root), str(w), str(each), str(tmp_path / "go")] for w in range(workers)],
        tmp_path / "go",
    )
    store = LocalStore(root)
    history = store.history("shared")
    assert len(history) == workers * each
    assert sorted(h.version for h in history) == list(range(1, workers * each + 1))
    seen = set()
    for h in history:
        frame = store.read("shared", h.version)
        assert len(frame) == h.rows
        worker, i = int(frame["worker"].iloc[0]), int(frame["i"].iloc[0])
        assert h.note == f"w{worker} i{i}" and len(frame) == i + 1
        seen.add((worker, i))
    assert seen == {(w, i) for w in range(workers) for i in range(each)}
    assert committed_files(root / "shared") == {MANIFEST_NAME} | {
        data_file_name(v) for v in range(1, workers * each + 1)
    }


SEEDER = textwrap.dedent(
    """
    import os, sys, time
    import pandas as pd
    from dashboard.store import LocalStore
    root, worker, go = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    store = LocalStore(root)
    tables = {name: pd.DataFrame({"by": [worker]}) for name in ("sales", "stock", "staff")}
    print("ready", flush=True)
    while not os.path.exists(go):
        time.sleep(0.001)
    store.seed(tables)
    """
)


def test_concurrent_seed_publishes_version_one_once(tmp_path: Path) -> None:
    root = tmp_path / "store"
    run_children(SEEDER, [[str(root), str(w), str(tmp_path / "go")] for w in range(4)], tmp_path / "go")
    store = LocalStore(root)
    assert store.tables() == ["sales", "staff", "stock"]
    for name in store.tables():
        assert [h.version for h in store.history(name)] == [1]
        assert store.read(name)["by"].iloc[0] in range(4)


# --------------------------------------------------------------------------- crash safety

CRASHER = textwrap.dedent(
    """
    import sys
    import numpy as np
    import pandas as pd
    from dashboard.store import LocalStore
    root, run = sys.argv[1], int(sys.argv[2])
    store = LocalStore(root)
    rng = np.random.default_rng(run)
    print("ready", flush=True)
    i = 0
    while True:
        n = 500 + (i % 4) * 1500
        frame = pd.DataFrame({"run": run, "i": i, "x": rng.random(n), "s": [f"행 {k}" for k in range(n)]})
        store.publish("live", frame, note=f"run {run} i {i}", editor="crasher")
        if i % 7 == 3:
            store.rollback("live", 1, editor="crasher", note="rb")
        i += 1
    """
)


def test_sigkill_during_publish_never_corrupts(tmp_path: Path) -> None:
    root = tmp_path / "store"
    rng = random.Random(20240601)
    store = LocalStore(root)
    prev_count = 0
    verified: set[int] = set()
    leftovers_seen = 0
    # A fixed number of kills, bounded generously in time: a busy machine only makes it slower.
    deadline = time.monotonic() + 180
    kills = 0
    while kills < 20 and time.monotonic() < deadline:
        proc = subprocess.Popen(
            [sys.executable, "-c", CRASHER, str(root), str(kills)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env(),
        )
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0.0, 0.2))
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()  # type: ignore[union-attr]
            proc.stderr.close()  # type: ignore[union-attr]
        kills += 1

        if store.latest_version("live") is None:
            continue  # killed before the very first commit
        history = store.history("live")
        versions = sorted(h.version for h in history)
        assert versions == list(range(1, len(versions) + 1))
        assert len(versions) >= prev_count
        prev_count = len(versions)
        tdir = root / "live"
        for h in history:  # every committed file is intact (cheap hash of all)
            assert file_sha(tdir / data_file_name(h.version)) == h.content_sha256
        for h in history:  # full parse of the new ones
            if h.version not in verified:
                frame = store.read("live", h.version)
                assert len(frame) == h.rows
                if h.rollback_of is None:
                    assert h.note == f"run {frame['run'].iloc[0]} i {frame['i'].iloc[0]}"
                verified.add(h.version)
        frame, info, warnings = store.read_with_fallback("live")
        assert warnings == [] and info.version == versions[-1]
        listed = {data_file_name(v) for v in versions} | {MANIFEST_NAME}
        leftovers_seen += len(committed_files(tdir) - listed)

    assert kills == 20
    assert prev_count > 0
    # a publish after all those crashes works, continues numbering and sweeps leftovers
    info = store.publish("live", sample_frame(), note="after crashes", editor="e")
    assert info.version == prev_count + 1
    assert committed_files(root / "live") == {MANIFEST_NAME} | {
        data_file_name(v) for v in range(1, prev_count + 2)
    }
    print(f"kills={kills} versions={prev_count} leftovers_seen={leftovers_seen}")
