"""A broken shipped file stops the app with a message naming file, row and column, not a traceback."""

import shutil

from dashboard import catalog
from dashboard.paths import DATA_DIR


def test_broken_seed_file_is_reported_with_row_and_column(open_page, tmp_path, monkeypatch):
    broken = tmp_path / "data"
    shutil.copytree(DATA_DIR, broken)
    text = (broken / "targets.csv").read_text(encoding="utf-8").replace("T2,2,", "T2,two,", 1)
    (broken / "targets.csv").write_text(text, encoding="utf-8")
    monkeypatch.setattr(catalog, "DATA_DIR", broken)
    monkeypatch.setattr(catalog.seed_store, "__defaults__", (broken,))
    monkeypatch.setenv("DASHBOARD_STORE", str(tmp_path / "store"))
    at = open_page("overview", lang="en")
    assert not at.exception
    assert "targets.csv" in at.error[0].value
    frame = at.dataframe[0].value
    assert len(frame) == 1
    row = frame.iloc[0].astype(str).tolist()
    assert "3" in row and "two" in row and any("Order" in cell for cell in row), row
