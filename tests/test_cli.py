"""`python -m dashboard`: export, template, validate, publish, history, rollback; exit codes 0/1/2;
no traceback whatever the bytes; DASHBOARD_STORE; concurrent publishers; SIGKILL mid-publish."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from corpus.cases import PROGRESS_HEADER, big_file, cases

from dashboard import ingest
from dashboard.__main__ import main
from dashboard.catalog import seed_store
from dashboard.export import to_csv_bytes
from dashboard.filereader import read_table_file
from dashboard.loading import load_csv_tables
from dashboard.schema import table_spec
from dashboard.store import LocalStore

ROOT = Path(__file__).resolve().parents[1]


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): (path.read_bytes() if path.is_file() else b"<dir>")
            for path in sorted(root.rglob("*"))}


@pytest.fixture
def store_root(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "store"
    monkeypatch.setenv("DASHBOARD_STORE", str(root))
    monkeypatch.setenv("DASHBOARD_LANG", "en")
    return root


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("seeded")
    seed_store(LocalStore(root))
    return root


def run(capsysbinary, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsysbinary.readouterr()
    return code, out.decode("utf-8"), err.decode("utf-8")


def cli(*argv: str, store: Path, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "DASHBOARD_STORE": str(store), "DASHBOARD_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "dashboard", *argv], capture_output=True, env=env, cwd=ROOT,
                          timeout=timeout, **kwargs)


def progress_file(path: Path, value: float = 42.0) -> Path:
    frame = load_csv_tables()["progress"].copy()
    frame.loc[0, "value"] = value
    path.write_bytes(to_csv_bytes(ingest.labelled(frame, table_spec("progress"), "ko")))
    return path


# --------------------------------------------------------------------------- read-only commands


def test_export_to_stdout_is_the_published_table_without_bom(store_root, capsysbinary):
    code, out, _ = run(capsysbinary, "export", "regions")
    assert code == 0 and not out.startswith("\ufeff")
    frame = read_table_file(out.encode("utf-8"), "regions.csv").frame
    assert list(frame.columns) == table_spec("regions").column_names
    assert "동남아" in set(frame["name_ko"])
    assert not store_root.exists()  # exporting from a fresh store reads the shipped data, writes nothing


def test_export_to_files_csv_with_bom_and_xlsx(store_root, tmp_path, capsysbinary):
    csv_path, xlsx_path = tmp_path / "t.csv", tmp_path / "t.xlsx"
    assert run(capsysbinary, "export", "targets", "-o", str(csv_path), "--headers", "ko")[0] == 0
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert run(capsysbinary, "export", "targets", "-o", str(xlsx_path))[0] == 0
    for path in (csv_path, xlsx_path):
        result = ingest.ingest("targets", path.read_bytes(), path.name, load_csv_tables())
        assert result.ok, result.problems
        pd.testing.assert_frame_equal(result.frame, load_csv_tables()["targets"])


def test_template_has_the_header_row_only(store_root, capsysbinary):
    code, out, _ = run(capsysbinary, "template", "progress")
    assert code == 0 and out.strip() == PROGRESS_HEADER
    code, out, _ = run(capsysbinary, "template", "progress", "--headers", "ko")
    assert out.strip().split(",")[0] == "목표 ID"


def test_validate_accepts_a_good_file(store_root, tmp_path, capsysbinary):
    code, out, _ = run(capsysbinary, "validate", str(progress_file(tmp_path / "p.csv")), "--table", "progress")
    assert code == 0 and "accepted" in out


def test_validate_reports_every_problem_with_row_and_column(store_root, tmp_path, capsysbinary):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(f"{PROGRESS_HEADER}\nT9,2018-03-31,US,-1,true\nT1,2018-02-30,US,x,true\n".encode())
    code, out, _ = run(capsysbinary, "validate", str(bad), "--table", "progress")
    assert code == 1
    assert "Row 2, Column target_id (Target ID): Not a known target_id" in out
    assert "Row 2, Column value (Value (increment)): The value is below the minimum of 0. [Value: -1]" in out
    assert "Row 3, Column period_end" in out and "Row 3, Column value" in out
    code, out, _ = run(capsysbinary, "--lang", "ko", "validate", str(bad), "--table", "progress")
    assert code == 1 and "행 2, 열 target_id (목표 ID)" in out


def test_validate_json(store_root, tmp_path, capsysbinary):
    import json

    bad = tmp_path / "bad.csv"
    bad.write_bytes(f"{PROGRESS_HEADER}\nT9,2018-03-31,US,1,true\n".encode())
    code, out, _ = run(capsysbinary, "validate", str(bad), "--table", "progress", "--json")
    report = json.loads(out)
    assert code == 1 and report["accepted"] is False
    assert report["problems"][0] | {"params": None} == {"row": 2, "column": "target_id", "value": "T9",
                                                        "code": "reference", "params": None}


@pytest.mark.parametrize("case", cases(), ids=[case.name for case in cases()])
def test_validate_and_publish_refuse_every_bad_file_and_change_nothing(case, tmp_path, monkeypatch, capsysbinary,
                                                                     seeded):
    store = tmp_path / "store"
    shutil.copytree(seeded, store)
    monkeypatch.setenv("DASHBOARD_STORE", str(store))
    monkeypatch.setenv("DASHBOARD_LANG", "en")
    before = snapshot(store)
    path = tmp_path / case.name
    path.write_bytes(case.data)
    for command in (["validate"], ["publish", "--note", "never"]):
        code, out, err = run(capsysbinary, command[0], str(path), "--table", case.table, *command[1:])
        assert code == 1, (out, err)
        assert "Traceback" not in out + err and "problem(s)" in out
        if case.row is not None:
            assert f"Row {case.row}" in out
    assert snapshot(store) == before


def test_bad_file_on_an_empty_store_does_not_even_seed_it(store_root, tmp_path, capsysbinary):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\x00\xff" * 100)
    assert run(capsysbinary, "publish", str(path), "--table", "progress", "--note", "x")[0] == 1
    assert not store_root.exists()


def test_sixty_megabyte_file_is_refused(store_root, tmp_path):
    path = big_file(tmp_path / "huge.csv")
    result = cli("validate", str(path), "--table", "progress", store=store_root)
    assert result.returncode == 1
    assert b"the limit is 50 MB" in result.stdout and b"Traceback" not in result.stderr


@pytest.mark.parametrize("argv", [
    ["validate", "x.csv"],  # --table missing
    ["validate", "x.csv", "--table", "no_such_table"],
    ["validate", "/no/such/file.csv", "--table", "progress"],
    ["validate", "/", "--table", "progress"],
    ["publish", "x.csv", "--table", "progress"],  # --note missing
    ["rollback", "progress", "one"],
    ["export", "progress", "-o", "/no/such/dir/x.csv"],
    ["frobnicate"],
    [],
])
def test_usage_errors_exit_2_without_traceback(store_root, capsysbinary, argv):
    code, out, err = run(capsysbinary, *argv)
    assert code == 2 and "Traceback" not in out + err and err


def test_real_process_exit_codes_and_no_traceback(store_root, tmp_path):
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 50)
    results = {
        "ok": cli("validate", str(progress_file(tmp_path / "p.csv")), "--table", "progress", store=store_root),
        "bad": cli("validate", str(junk), "--table", "progress", store=store_root),
        "usage": cli("validate", str(junk), store=store_root),
    }
    assert {name: r.returncode for name, r in results.items()} == {"ok": 0, "bad": 1, "usage": 2}
    assert all(b"Traceback" not in r.stdout + r.stderr for r in results.values())


def test_help_documents_exit_codes_and_that_filesystem_permissions_guard_writes(store_root, capsysbinary):
    code, out, _ = run(capsysbinary, "--help")
    out = " ".join(out.split())  # argparse wraps lines
    assert code == 0 and "filesystem permissions" in out and "DASHBOARD_STORE" in out and "2 usage error" in out
    code, out, _ = run(capsysbinary, "publish", "--help")
    out = " ".join(out.split())
    assert code == 0 and "filesystem permissions are the only guard" in out
    code, out, _ = run(capsysbinary, "--lang", "ko", "--help")
    assert "파일 시스템" in out


# --------------------------------------------------------------------------- writing


def test_publish_history_rollback(store_root, tmp_path, capsysbinary):
    path = progress_file(tmp_path / "progress.csv", 42.0)
    code, out, _ = run(capsysbinary, "publish", str(path), "--table", "progress", "--note", "Q1 fix", "--editor",
                       "Kim")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert code == 0 and "published version 2" in out and "changed 1" in out and digest in out
    store = LocalStore(store_root)
    latest = store.history("progress")[0]
    assert (latest.version, latest.editor, latest.note, latest.source_sha256) == (2, "Kim", "Q1 fix", digest)
    assert store.read("progress").loc[0, "value"] == 42.0

    code, out, _ = run(capsysbinary, "history", "progress")
    assert code == 0 and "Q1 fix" in out and "Kim" in out and digest[:12] in out
    code, out, _ = run(capsysbinary, "history")
    assert code == 0 and "progress" in out and "regions" in out

    code, out, _ = run(capsysbinary, "rollback", "progress", "1", "--editor", "Lee")
    assert code == 0 and "version 1 published again as new version 3" in out
    assert store.history("progress")[0].rollback_of == 1
    pd.testing.assert_frame_equal(store.read("progress", 3), store.read("progress", 1))

    code, out, err = run(capsysbinary, "rollback", "progress", "99")
    assert code == 1 and "no version 99" in err
    code, out, _ = run(capsysbinary, "export", "progress", "--version", "2")
    assert code == 0 and "42" in out


def test_publish_refuses_an_empty_note(store_root, tmp_path, capsysbinary):
    path = progress_file(tmp_path / "p.csv")
    code, out, _ = run(capsysbinary, "publish", str(path), "--table", "progress", "--note", "  ")
    assert code == 1 and "Enter a note" in out


def test_concurrent_cli_publishers_all_land_as_separate_versions(store_root, tmp_path):
    """Five processes publish the same table at the same moment (on a store nobody seeded yet)."""
    env = {**os.environ, "DASHBOARD_STORE": str(store_root), "DASHBOARD_LANG": "en"}
    paths = [progress_file(tmp_path / f"p{i}.csv", float(i)) for i in range(5)]
    processes = [subprocess.Popen([sys.executable, "-m", "dashboard", "publish", str(path), "--table", "progress",
                                   "--note", f"writer {i}"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE) for i, path in enumerate(paths)]
    outputs = [process.communicate(timeout=180) for process in processes]
    assert [process.returncode for process in processes] == [0] * 5, outputs
    history = LocalStore(store_root).history("progress")
    assert sorted(v.version for v in history) == list(range(1, 7))
    assert sorted(v.note for v in history if v.version > 1) == [f"writer {i}" for i in range(5)]
    store = LocalStore(store_root)
    assert sorted(store.read("progress", v).loc[0, "value"] for v in range(2, 7)) == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_sigkill_during_cli_publish_never_loses_a_version(store_root, tmp_path):
    """Kill `publish` at random moments; every version published before stays readable."""
    seed_store(LocalStore(store_root))
    frame = load_csv_tables()["progress"]
    big = pd.concat([frame.assign(period_end=frame["period_end"] + pd.DateOffset(years=4 * i)) for i in range(200)],
                    ignore_index=True)  # 57,600 rows with unique keys, so that publish does real work
    path = tmp_path / "big.csv"
    path.write_bytes(to_csv_bytes(ingest.labelled(big, table_spec("progress"))))
    env = {**os.environ, "DASHBOARD_STORE": str(store_root)}
    rng = random.Random(4)
    killed = 0
    for attempt in range(8):
        process = subprocess.Popen([sys.executable, "-m", "dashboard", "publish", str(path), "--table", "progress",
                                    "--note", f"attempt {attempt}"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, 3.0))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        process.wait(timeout=60)
        store = LocalStore(store_root)
        for info in store.history("progress"):
            assert len(store.read("progress", info.version)) == info.rows  # checksum-verified read
    assert killed >= 1
    versions = LocalStore(store_root).history("progress")
    final = cli("publish", str(path), "--table", "progress", "--note", "after the kills", store=store_root)
    assert final.returncode == 0, final.stderr
    assert LocalStore(store_root).history("progress")[0].version == versions[0].version + 1
