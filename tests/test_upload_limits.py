"""Upload limits: one configurable size, given to the server by `dashboard.serve` and to the reader.

Rows, columns and XLSX decompression bombs are guarded by dashboard.filereader (tested in
tests/test_filereader.py); the server's own refusal of an oversized upload is tested in the
browser (tests/browser/test_upload_limit.py).
"""

from __future__ import annotations

import tomllib

import pytest

from dashboard import ingest, serve
from dashboard.paths import ROOT


@pytest.mark.parametrize(("env", "expected"), [
    ({}, []),
    ({"DASHBOARD_MAX_UPLOAD_MB": "10"}, ["--server.maxUploadSize", "10"]),
    ({"DASHBOARD_MAX_UPLOAD_MB": "0.5"}, ["--server.maxUploadSize", "1"]),  # server counts whole MB
    ({"DASHBOARD_MAX_UPLOAD_MB": "12.2"}, ["--server.maxUploadSize", "13"]),
    ({"DASHBOARD_MAX_UPLOAD_MB": "lots"}, []),
    ({"DASHBOARD_MAX_UPLOAD_MB": "-5"}, []),
    ({"DASHBOARD_MAX_UPLOAD_MB": "nan"}, []),
])
def test_serve_passes_the_limit_to_the_server(env, expected):
    assert serve.upload_limit_args(["--server.port", "8501"], env) == expected


def test_explicit_server_option_wins():
    args = ["--server.maxUploadSize", "5"]
    assert serve.upload_limit_args(args, {"DASHBOARD_MAX_UPLOAD_MB": "10"}) == []
    assert serve.upload_limit_args(["--server.maxUploadSize=5"], {"DASHBOARD_MAX_UPLOAD_MB": "10"}) == []


def test_default_limit_is_50_mb_everywhere(monkeypatch):
    monkeypatch.delenv("DASHBOARD_MAX_UPLOAD_MB", raising=False)
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == 50
    assert ingest.max_upload_bytes() == 50 * 1024 * 1024
    monkeypatch.setenv("DASHBOARD_MAX_UPLOAD_MB", "1")
    assert ingest.max_upload_bytes() == 1024 * 1024
    assert serve.upload_limit_args([])[-1] == "1"
