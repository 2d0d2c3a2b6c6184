"""The load driver still speaks the app's protocol: a short run with two sessions gives no error,
and the pages it switched to really ran (the full 25-session test is `make load`, not part of
the suite)."""

from __future__ import annotations

import json

from benchmarks import load_protocol


def test_short_protocol_load_runs_pages_without_errors(tmp_path, capsys):
    out = tmp_path / "load.json"
    code = load_protocol.main(["--sessions", "2", "--duration", "6", "--think", "0.3", "--ramp", "0.1",
                               "--out", str(out)])
    result = json.loads(out.read_text(encoding="utf-8"))
    assert code == 0 and result["errors"] == 0, result["error_samples"]
    assert result["interactions"] >= 4
    assert result["script_runs"]["wall_ms"]["n"] >= result["interactions"]
    ran = {page for page, figures in result["pages"].items() if figures["runs"]}
    assert len(ran) >= 2, ran
    assert "sessions" in capsys.readouterr().out
