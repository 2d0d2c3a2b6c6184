"""Loading the shipped tables: every file validates, types are right, broken files are named."""

import shutil

import pandas as pd
import pytest

from dashboard.loading import check_references, dependency_order, load_csv_tables
from dashboard.paths import DATA_DIR
from dashboard.validation import ValidationError


@pytest.fixture(scope="module")
def tables():
    return load_csv_tables()


def test_all_tables_load_with_domain_facts(tables):
    assert list(tables["pillars"]["pillar_id"]) == ["P1", "P2", "P3", "P4"]
    assert len(tables["initiatives"]) == 7
    assert set(tables["regions"]["region_id"]) == {"US", "EU", "CN", "SEA", "SA", "EUR", "KP"}
    targets = tables["targets"].set_index("target_id")
    assert targets.at["T1", "goal_value"] == 30 and targets.at["T1", "unit"] == "cases"
    assert targets.at["T2", "goal_value"] == 1000 and targets.at["T2", "unit"] == "usd_million"
    assert pd.isna(targets.at["T3", "goal_value"])
    assert list(tables["capabilities"]["letter"]) == ["D", "N", "A"]
    assert len(tables["fields"]) == 5 and len(tables["services"]) == 5
    assert tables["ict_trade"].set_index("year").at[2018, "exports_usd_bn"] == pytest.approx(220.4)
    assert len(tables["hubs"]) == 7 and tables["hubs"]["source"].notna().all()


def test_region_membership_follows_the_documented_2017_groupings(tables):
    countries = tables["countries"]
    members = countries.groupby("region_id")["iso3"].apply(set)
    assert members["SEA"] == {"BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM"}
    assert members["SA"] == {"AFG", "BGD", "BTN", "IND", "IRN", "MDV", "NPL", "PAK", "LKA"}
    assert len(members["EU"]) == 28 and "GBR" in members["EU"]
    assert members["KP"] == {"KOR", "PRK"}
    assert countries.loc[countries["is_origin"], "iso3"].tolist() == ["KOR"]


def test_series_are_flagged_illustrative_and_real_tables_carry_sources(tables):
    assert tables["progress"]["illustrative"].all()
    assert tables["activities"]["illustrative"].all()
    for name in ("ict_trade", "ict_exports_by_destination", "hubs", "briefing_series", "context_facts",
                 "milestones", "service_figures"):
        assert tables[name]["source"].notna().all(), name


def test_dtypes(tables):
    assert str(tables["progress"]["period_end"].dtype).startswith("datetime64")
    assert tables["activities"]["activities"].dtype == "Int64"
    assert tables["countries"]["is_origin"].dtype == "boolean"


def test_referenced_tables_come_first():
    order = dependency_order()
    assert order.index("pillars") < order.index("initiatives") < order.index("regions") < order.index("countries")
    assert order.index("countries") < order.index("activities")


def test_a_broken_file_names_file_row_and_column(tmp_path):
    for path in DATA_DIR.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    lines = (tmp_path / "initiatives.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",P2,", ",P9,", 1)
    (tmp_path / "initiatives.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_csv_tables(tmp_path)
    error = caught.value
    assert error.source == "initiatives.csv"
    assert [(p.row, p.column, p.value, p.code) for p in error.problems] == [(4, "pillar_id", "P9", "reference")]
    assert "initiatives.csv" in str(error) and "row 4" in str(error)


def test_check_references_finds_orphans(tables):
    changed = dict(tables)
    changed["regions"] = tables["regions"][tables["regions"]["region_id"] != "SEA"]
    problems = check_references(changed)
    assert {p.table for p in problems} >= {"countries"}
    assert all(p.value == "SEA" for p in problems if p.table == "countries")
