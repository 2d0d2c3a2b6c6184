"""Reproducible, plausible, clearly flagged example series (the source article gives no progress data).

Every row produced here has `illustrative = True`; the views label it. `scale` multiplies the
number of rows (for benchmarks) without changing the shape of the data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SEED = 20171207
FIRST_YEAR, LAST_YEAR = 2018, 2021
# Regions in which each initiative works (belts, package model, inter-Korean, and everywhere).
INITIATIVE_REGIONS = {
    "I1": ("US", "EU", "CN"),
    "I2": ("US", "EU", "CN"),
    "I3": ("US", "EU", "CN"),
    "I4": ("US", "EU", "CN", "SEA"),
    "I5": ("CN", "SEA", "SA"),
    "I6": ("KP",),
    "I7": ("SEA", "SA", "EUR"),
}
# Typical quarterly increment per region for each target (T1 cases, T2 USD million, T3 persons).
TARGET_RATE = {"T1": 0.27, "T2": 7.5, "T3": 9.0}


def progress(targets: pd.DataFrame, regions: pd.DataFrame, *, seed: int = SEED, scale: int = 1) -> pd.DataFrame:
    """Quarterly increments per target and region; `scale` > 1 adds finer (monthly-like) periods."""
    rng = np.random.default_rng(seed)
    region_ids = [r for r in regions["region_id"] if r != "KP"]
    quarter_ends = pd.date_range(f"{FIRST_YEAR}-01-01", f"{LAST_YEAR}-12-31", freq="QE")
    periods = quarter_ends
    if scale > 1:
        periods = pd.date_range(f"{FIRST_YEAR}-01-01", periods=len(quarter_ends) * scale, freq="D")
    rows = []
    for target_id in targets["target_id"]:
        rate = TARGET_RATE.get(target_id, 1.0) / scale
        for region_id in region_ids:
            ramp = np.linspace(0.6, 1.4, len(periods))
            values = rng.poisson(rate * ramp) if target_id == "T1" else rng.gamma(2.0, rate * ramp / 2.0)
            for period, value in zip(periods, values, strict=True):
                rows.append((target_id, period, region_id, round(float(value), 1 if target_id != "T1" else 0)))
    frame = pd.DataFrame(rows, columns=["target_id", "period_end", "region_id", "value"])
    frame["period_end"] = frame["period_end"].astype("datetime64[us]")
    frame["illustrative"] = True
    return frame


def activities(countries: pd.DataFrame, capabilities: pd.DataFrame, fields: pd.DataFrame,
               *, seed: int = SEED, scale: int = 1) -> pd.DataFrame:
    """Yearly counts of cooperation activities per country, initiative, capability and field."""
    rng = np.random.default_rng(seed + 1)
    caps = list(capabilities["capability_id"])
    field_ids = list(fields["field_id"])
    partners = countries[~countries["is_origin"].astype(bool)]
    years = range(FIRST_YEAR, LAST_YEAR + 1 + (scale - 1) * 4)
    rows = []
    for initiative, region_ids in INITIATIVE_REGIONS.items():
        members = partners[partners["region_id"].isin(region_ids)]
        for iso3, region_id in zip(members["iso3"], members["region_id"], strict=True):
            weight = 3.0 if region_id in ("US", "CN") else 1.0
            for year in years:
                if initiative == "I6" and year < 2019:
                    continue  # inter-Korean exchange was halted from 2008; illustrative restart in 2019
                for cap in caps if initiative in ("I1", "I5", "I7") else [None]:
                    field = field_ids[rng.integers(len(field_ids))] if cap else None
                    count = int(rng.poisson(weight * (1.2 + 0.25 * (year - FIRST_YEAR) % 5)))
                    if count:
                        rows.append((year, iso3, initiative, cap, field, count))
    frame = pd.DataFrame(rows, columns=["year", "iso3", "initiative_id", "capability_id", "field_id", "activities"])
    frame = frame.groupby(["year", "iso3", "initiative_id", "capability_id", "field_id"], dropna=False,
                          as_index=False)["activities"].sum()
    frame["year"] = frame["year"].astype("Int64")
    frame["activities"] = frame["activities"].astype("Int64")
    for column in ("iso3", "initiative_id", "capability_id", "field_id"):
        frame[column] = frame[column].astype("str").where(frame[column].notna())
    frame["illustrative"] = True
    return frame
