"""Faults: a process killed mid-publish, a full or read-only disk, a damaged file in the store.

* SIGKILL: the Streamlit server itself (``python -m dashboard.serve``) is killed while it is
  publishing, at the most dangerous moment (new data file in place, manifest not yet replaced);
  plain publisher processes are killed at two other moments (data half written, data written but
  not renamed). A hook loaded only into that child process (``sitecustomize``) pauses the
  publish at the chosen point and says so; the test then sends SIGKILL. Afterwards every earlier
  version must be byte-for-byte intact, the half-done version invisible, the restarted server
  healthy, the app must render, and the next publish must continue the numbering.
* Disk full / read-only during a publish from the Data page (AppTest): a clear error, no new
  version, nothing half-written left behind, the previous version still served.
* A truncated or missing Parquet file: the pages name the damaged version and serve the newest
  intact one.
"""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest, app_test

from dashboard import auth, ingest
from dashboard.catalog import seed_store
from dashboard.export import to_csv_bytes
from dashboard.i18n import t
from dashboard.loading import load_csv_tables
from dashboard.schema import table_spec
from dashboard.serve import free_port, server_command, stop_server, wait_until_healthy
from dashboard.store import LocalStore, data_file_name
from tests.apptest.runner import NavigationPagesManager, run_app

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "fault test editor password"

HOOK = textwrap.dedent('''
    """Test-only fault injection, loaded into one child process through PYTHONPATH."""
    import os, pathlib, tempfile, threading, time

    STAGE = os.environ["FAULT_STAGE"]
    MARKER = pathlib.Path(os.environ["FAULT_MARKER"])


    def _pause():
        MARKER.write_text(STAGE)
        while True:  # until SIGKILL
            time.sleep(1)


    def install():
        import dashboard.store as store
        armed = threading.Event()
        real_replace, real_atomic = os.replace, store._atomic_replace

        def replace(src, dst, *args, **kwargs):
            name = os.path.basename(str(dst))
            if armed.is_set() and ((STAGE == "before_data_rename" and name.endswith(".parquet"))
                                   or (STAGE == "before_manifest_rename" and name == "manifest.json")):
                _pause()
            return real_replace(src, dst, *args, **kwargs)

        def atomic(path, data):
            if armed.is_set() and STAGE == "half_written_data" and str(path).endswith(".parquet"):
                fd, _ = tempfile.mkstemp(prefix=store.TMP_PREFIX, suffix=".part", dir=path.parent)
                os.write(fd, data[: len(data) // 2])
                os.fsync(fd)
                _pause()
            return real_atomic(path, data)

        os.replace = replace
        store._atomic_replace = atomic
        return armed


    def publish():
        """What the Data page's Publish button does: ingest the uploaded bytes, then publish."""
        from dashboard import ingest
        from dashboard.export import to_csv_bytes
        from dashboard.paths import store_dir
        from dashboard.schema import table_spec
        from dashboard.store import LocalStore

        armed = install()
        store = LocalStore(store_dir())
        tables = ingest.published_tables(store)
        frame = tables["pillars"].copy()
        frame.loc[0, "name_en"] = "Killed in the middle of a publish"
        data = to_csv_bytes(ingest.labelled(frame, table_spec("pillars"), "ids"))
        result = ingest.ingest("pillars", data, "pillars.csv", tables)
        assert result.ok, result.problems
        armed.set()
        ingest.publish(store, result, note="never committed", editor="fault",
                       expected_version=store.latest_version("pillars"))
''')

SITECUSTOMIZE = textwrap.dedent('''
    import os
    if os.environ.get("FAULT_TRIGGER"):
        import threading, time

        def _when_triggered():
            while not os.path.exists(os.environ["FAULT_TRIGGER"]):
                time.sleep(0.05)
            import fault_hook
            fault_hook.publish()

        threading.Thread(target=_when_triggered, daemon=True).start()
''')


# --------------------------------------------------------------------------- helpers


def snapshot(store: LocalStore) -> dict[str, list[tuple[int, str]]]:
    """Every committed version of every table with the sha256 of its data file as read back."""
    out = {}
    for table in store.tables():
        out[table] = [(info.version, hashlib.sha256(
            (store.root / table / data_file_name(info.version)).read_bytes()).hexdigest())
            for info in store.history(table)]
        for info in store.history(table):
            store.read(table, info.version)  # raises DamagedVersion if anything is off
    return out


def prepared_store(root: Path) -> LocalStore:
    """Seeded store plus a second and third version of pillars (history worth protecting)."""
    store = LocalStore(root)
    seed_store(store)
    pillars = load_csv_tables()["pillars"]
    for n in (2, 3):
        frame = pillars.copy()
        frame.loc[1, "name_en"] = f"Published name {n}"
        store.publish("pillars", frame, note=f"version {n}", editor="setup")
    return store


def hook_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "hook"
    folder.mkdir()
    (folder / "fault_hook.py").write_text(HOOK)
    (folder / "sitecustomize.py").write_text(SITECUSTOMIZE)
    return folder


def child_env(store: Path, hooks: Path, stage: str, marker: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "DASHBOARD_STORE": str(store), "PYTHONPATH": str(hooks), "FAULT_STAGE": stage,
            "FAULT_MARKER": str(marker), **extra}


def wait_for(path: Path, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(f"the child exited ({process.returncode}) before pausing: "
                                 + (process.stdout.read().decode(errors="replace") if process.stdout else ""))
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("the child never reached the fault point")
        time.sleep(0.05)


def kill(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    if process.stdout:
        process.stdout.close()
    assert process.returncode == -signal.SIGKILL


def start_server(env: dict[str, str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(server_command(port), cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    if wait_until_healthy(process, port):
        return process
    process.kill()
    raise AssertionError("server did not start: " + process.stdout.read().decode(errors="replace"))


@pytest.fixture
def run_page(monkeypatch):
    monkeypatch.setattr(app_test, "PagesManager", NavigationPagesManager)

    def run(store: Path, page: str = "overview", lang: str = "en", **params: str) -> AppTest:
        monkeypatch.setenv("DASHBOARD_STORE", str(store))
        return run_app(page, lang, timeout=120, **params)

    return run


def texts(at: AppTest, *kinds: str) -> str:
    """The shown text of these elements, with Markdown escapes removed."""
    return " ".join(str(e.value) for kind in kinds for e in getattr(at, kind)).replace("\\", "")


def assert_clean_after_next_publish(store: LocalStore, before: dict) -> None:
    """The next publish continues the numbering and sweeps every crash leftover."""
    latest = store.latest_version("pillars")
    info = store.publish("pillars", store.read("pillars"), note="after the crash", editor="test")
    assert info.version == latest + 1
    leftovers = [p.name for p in (store.root / "pillars").iterdir()
                 if p.name.startswith(".tmp-") or (p.suffix == ".parquet"
                                                    and int(p.stem[1:]) not in {v for v, _ in before["pillars"]}
                                                    and int(p.stem[1:]) != info.version)]
    assert leftovers == []


# --------------------------------------------------------------------------- SIGKILL


def test_server_killed_mid_publish_then_restarted(tmp_path, run_page):
    store = prepared_store(tmp_path / "store")
    before = snapshot(store)
    marker, trigger = tmp_path / "paused", tmp_path / "publish-now"
    env = child_env(store.root, hook_dir(tmp_path), "before_manifest_rename", marker, FAULT_TRIGGER=str(trigger))
    port = free_port()
    server = start_server(env, port)
    try:
        trigger.touch()  # the server now publishes, and pauses just before the manifest is replaced
        wait_for(marker, server)
        # The new data file is already in place under its final name ...
        assert (store.root / "pillars" / data_file_name(4)).exists()
    finally:
        kill(server)
    # ... but it was never committed: history and every byte of every version are unchanged.
    assert snapshot(store) == before
    assert store.latest_version("pillars") == 3

    restarted = start_server({**os.environ, "DASHBOARD_STORE": str(store.root)}, port)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=10) as reply:
            assert reply.status == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/pillars?lang=en", timeout=10) as reply:
            assert reply.status == 200 and b"<html" in reply.read().lower()
    finally:
        stop_server(restarted)
        restarted.stdout.close()
    at = run_page(store.root, "pillars")
    assert not at.exception, [e.value for e in at.exception]
    assert "Killed in the middle" not in texts(at, "markdown", "caption")
    assert texts(at, "error") == ""  # no damage reported: the orphan file is simply ignored
    assert_clean_after_next_publish(store, before)


@pytest.mark.parametrize("stage", ["half_written_data", "before_data_rename"])
def test_publisher_killed_while_writing_data(tmp_path, stage):
    store = prepared_store(tmp_path / "store")
    before = snapshot(store)
    marker = tmp_path / "paused"
    child = subprocess.Popen([sys.executable, "-c", "import fault_hook; fault_hook.publish()"], cwd=ROOT,
                             env=child_env(store.root, hook_dir(tmp_path), stage, marker),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    wait_for(marker, child)
    kill(child)
    assert [p.name for p in (store.root / "pillars").iterdir() if p.name.startswith(".tmp-")], \
        "the kill should leave a temp file behind (else the fault point was not reached)"
    assert snapshot(store) == before
    frame, info, warnings = store.read_with_fallback("pillars")
    assert (info.version, warnings) == (3, [])
    assert_clean_after_next_publish(store, before)


# --------------------------------------------------------------------------- disk full / read-only


@pytest.mark.parametrize(("code", "reason"), [(errno.ENOSPC, "the disk is full"),
                                               (errno.EROFS, "read-only")])
def test_publish_on_a_full_or_read_only_disk_shows_a_clear_error(tmp_path, run_page, monkeypatch, code, reason):
    import dashboard.store as store_module

    store = prepared_store(tmp_path / "store")
    before = snapshot(store)
    monkeypatch.setenv(auth.ENV_VAR, auth.hash_password(PASSWORD))
    at = run_page(store.root, "data", table="pillars")
    fields = {w.label: w for w in at.text_input}
    fields[t("auth.name", "en")].input("Disk Tester")
    fields[t("auth.password", "en")].input(PASSWORD)
    next(b for b in at.button if b.label == t("auth.login", "en")).click()
    at.run()
    frame = store.read("pillars").copy()
    frame.loc[0, "name_en"] = "Never published"
    upload = to_csv_bytes(ingest.labelled(frame, table_spec("pillars"), "ids"))
    at.file_uploader[0].set_value(("pillars.csv", upload, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]

    real_atomic = store_module._atomic_replace

    def failing(path, data):
        if str(path).endswith(".parquet"):
            # A real partial write first, as a full disk would leave it, then the error.
            import tempfile

            fd, _ = tempfile.mkstemp(prefix=store_module.TMP_PREFIX, suffix=".part", dir=path.parent)
            os.write(fd, data[: len(data) // 3])
            os.close(fd)
            raise OSError(code, os.strerror(code))
        return real_atomic(path, data)

    monkeypatch.setattr(store_module, "_atomic_replace", failing)
    at.text_area(key="publish_note_pillars").input("this publish meets a broken disk")
    next(b for b in at.button if b.label == t("data.publish", "en")).click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    error = texts(at, "error")
    assert t("data.store_error", "en", error="")[:25] in error and reason in error, error
    assert "version 3 is still served" in error
    monkeypatch.setattr(store_module, "_atomic_replace", real_atomic)

    assert store.latest_version("pillars") == 3
    assert snapshot(store) == before
    # The app still serves version 3 (a fresh session shows its name, not the failed one).
    shown = texts(run_page(store.root, "overview"), "markdown")
    assert "Published name 3" in shown and "Never published" not in shown
    assert_clean_after_next_publish(store, before)


# --------------------------------------------------------------------------- damaged files


@pytest.mark.parametrize("damage", ["truncate", "delete"])
def test_damaged_version_is_named_and_the_newest_intact_one_served(tmp_path, run_page, damage):
    store = prepared_store(tmp_path / "store")
    newest = store.root / "pillars" / data_file_name(3)
    if damage == "truncate":
        newest.write_bytes(newest.read_bytes()[: newest.stat().st_size // 2])
    else:
        newest.unlink()
    for page in ("overview", "data"):
        at = run_page(store.root, page, table="pillars")
        assert not at.exception, [e.value for e in at.exception]
        errors = texts(at, "error")
        assert "Version 3 of table 'pillars' is damaged" in errors, errors
        assert "Serving version 2 of table 'pillars' instead" in errors, errors
    overview = run_page(store.root, "overview")
    assert "Published name 2" in texts(overview, "markdown")
    assert "Published name 3" not in texts(overview, "markdown")
    # Both languages say it.
    korean = run_page(store.root, "overview", lang="ko")
    assert t("ui.store_damaged", "ko", detail="")[:5] in texts(korean, "error")
