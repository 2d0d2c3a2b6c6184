"""What an upload changes: rows by key, changed cells, preview highlighting, headline effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard import diff, metrics
from dashboard.loading import load_csv_tables
from dashboard.schema import table_spec


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return load_csv_tables()


def test_identical_tables_have_no_changes(tables):
    result = diff.diff_tables(table_spec("progress"), tables["progress"], tables["progress"].copy())
    assert not result.has_changes
    assert result.counts == {"added": 0, "changed": 0, "removed": 0, "unchanged": len(tables["progress"])}
    shown, mask = diff.preview_frame(result)
    assert shown.empty and mask.empty and result.cells.empty


def test_rows_added_removed_and_changed_by_key(tables):
    old = tables["progress"]
    new = old.copy()
    new.loc[0, "value"] = 123.0  # T1 / 2018-03-31 / US
    new.loc[5, "illustrative"] = False
    new = new.drop(index=[3])
    extra = old.iloc[[0]].assign(period_end=pd.Timestamp("2030-03-31"), value=7.0)
    new = pd.concat([extra, new.iloc[::-1]], ignore_index=True)  # order does not matter, only keys do

    result = diff.diff_tables(table_spec("progress"), old, new)
    assert result.counts == {"added": 1, "changed": 2, "removed": 1, "unchanged": len(old) - 3}
    assert result.added.loc[0, "period_end"] == pd.Timestamp("2030-03-31")
    assert result.removed.loc[0, "period_end"] == old.loc[3, "period_end"]
    cells = result.cells.set_index("column")
    assert (cells.at["value", "before"], cells.at["value", "after"]) == ("0", "123")
    assert (cells.at["illustrative", "before"], cells.at["illustrative", "after"]) == ("true", "false")
    assert list(result.cells.columns) == ["target_id", "period_end", "region_id", "column", "before", "after"]
    assert cells.at["value", "period_end"] == "2018-03-31"


def test_missing_key_parts_match_each_other(tables):
    """progress rows with no region (all regions) are keyed by an empty region, not dropped."""
    old = pd.DataFrame({"target_id": ["T1", "T1"], "period_end": pd.to_datetime(["2018-03-31", "2018-06-30"]),
                        "region_id": pd.Series([None, "US"], dtype="str"), "value": [1.0, 2.0],
                        "illustrative": pd.array([False, False], dtype="boolean")})
    new = old.copy()
    new.loc[0, "value"] = 5.0
    result = diff.diff_tables(table_spec("progress"), old, new)
    assert result.counts == {"added": 0, "changed": 1, "removed": 0, "unchanged": 1}
    assert result.cells.loc[0, "region_id"] == ""


def test_missing_values_on_both_sides_are_not_changes(tables):
    old = tables["targets"]
    new = old.copy()
    assert new["goal_value"].isna().any()  # T3 has no goal
    result = diff.diff_tables(table_spec("targets"), old, new)
    assert not result.has_changes
    new.loc[new["target_id"] == "T3", "goal_value"] = 500.0
    result = diff.diff_tables(table_spec("targets"), old, new)
    assert result.cells[["column", "before", "after"]].values.tolist() == [["goal_value", "", "500"]]


def test_a_column_the_old_version_lacked_changes_every_row(tables):
    old = tables["pillars"].drop(columns=["source"])
    result = diff.diff_tables(table_spec("pillars"), old, tables["pillars"])
    assert result.counts["changed"] == len(old)
    assert set(result.cells["column"]) == {"source"}


def test_preview_marks_changed_cells_and_whole_added_and_removed_rows(tables):
    old = tables["regions"]
    new = old.copy()
    new.loc[new["region_id"] == "EU", "name_en"] = "European Union"
    new = new[new["region_id"] != "KP"]
    new = pd.concat([new, old.iloc[[0]].assign(region_id="ME", sort_order=8)], ignore_index=True)
    shown, mask = diff.preview_frame(diff.diff_tables(table_spec("regions"), old, new))
    assert list(shown[diff.CHANGE]) == ["added", "changed", "removed"]
    assert shown.shape == mask.shape and list(shown.columns) == list(mask.columns)
    changed = mask.iloc[1].drop(diff.CHANGE)
    assert changed[changed].index.tolist() == ["name_en"]
    assert mask.iloc[0].all() and mask.iloc[2].all()
    assert shown.loc[1, "name_en"] == "European Union"
    assert shown.loc[2, "region_id"] == "KP"
    assert len(diff.preview_frame(diff.diff_tables(table_spec("regions"), old, new), limit=2)[0]) == 2


@pytest.mark.parametrize(("value", "text"), [
    (None, ""), (np.nan, ""), (pd.NA, ""), (pd.NaT, ""), (pd.Timestamp("2018-03-31"), "2018-03-31"),
    (True, "true"), (np.bool_(False), "false"), (0.1 + 0.2, "0.3"), (1234.5, "1234.5"), (7, "7"), ("가", "가"),
])
def test_display(value, text):
    assert diff.display(value) == text


def test_headline_effects_of_progress_are_each_targets_figures_before_and_after(tables):
    new = tables["progress"].copy()
    extra = new[new["target_id"] == "T1"].iloc[[0]].assign(period_end=pd.Timestamp("2021-12-31"), region_id=None,
                                                             value=100.0)
    new = pd.concat([new, extra], ignore_index=True)
    effects = diff.headline_effects("progress", new, tables).set_index(["subject", "measure"])
    before = metrics.target_summary(tables["targets"], tables["progress"]).set_index("target_id")
    assert effects.at[("T1", "achieved"), "before"] == before.at["T1", "achieved"]
    assert effects.at[("T1", "achieved"), "after"] == before.at["T1", "achieved"] + 100.0
    assert effects.at[("T1", "achieved"), "changed"]
    assert not effects.at[("T2", "achieved"), "changed"]
    assert effects.at[("progress", "rows"), "after"] == len(tables["progress"]) + 1


def test_headline_effects_of_a_goal_change_move_share_and_status(tables):
    targets = tables["targets"].copy()
    targets.loc[targets["target_id"] == "T1", "goal_value"] = 10_000.0
    effects = diff.headline_effects("targets", targets, tables).set_index(["subject", "measure"])
    assert effects.at[("T1", "share"), "changed"] and effects.at[("T1", "status"), "after"] == metrics.AT_RISK
    assert not effects.at[("T1", "achieved"), "changed"]


def test_headline_effects_of_moving_a_country_to_another_region(tables):
    countries = tables["countries"].copy()
    countries.loc[countries["iso3"] == "VNM", "region_id"] = "SA"
    effects = diff.headline_effects("countries", countries, tables)
    moved = effects[effects["changed"]]
    assert set(moved["measure"]) == {"countries", "activities"}
    assert set(moved["subject"]) == {"SEA", "SA"}


def test_tables_without_headline_figures_report_their_row_count(tables):
    effects = diff.headline_effects("hubs", tables["hubs"].head(3), tables)
    assert effects[["subject", "measure", "before", "after", "changed"]].values.tolist() == [
        ["hubs", "rows", float(len(tables["hubs"])), 3.0, True]]
