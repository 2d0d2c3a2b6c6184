"""Analytics over the typed tables: plain functions from DataFrames to DataFrames.

No Streamlit here; pages call these through cached wrappers.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

ON_TRACK, AT_RISK, NO_TARGET, NO_DATA = "on_track", "at_risk", "no_target", "no_data"
#: A target seen through a region or year filter: its goal is a national total, so not judged.
PARTIAL = "partial"


@dataclass(frozen=True)
class Filters:
    """The cross-page filters; empty collections mean "all"."""

    pillars: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    years: tuple[int, int] | None = None


def _in(values: pd.Series, chosen: Collection[str]) -> pd.Series:
    return values.isin(list(chosen)) if chosen else pd.Series(True, index=values.index)


def filter_progress(progress: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    mask = _in(progress["region_id"], filters.regions)
    if filters.years:
        year = progress["period_end"].dt.year
        mask &= year.between(*filters.years)
    return progress[mask]


def filter_activities(activities: pd.DataFrame, countries: pd.DataFrame, initiatives: pd.DataFrame,
                      filters: Filters) -> pd.DataFrame:
    """Activities joined with region and pillar, filtered by the cross-page filters."""
    frame = activities.merge(countries[["iso3", "region_id"]], on="iso3", how="left")
    frame = frame.merge(initiatives[["initiative_id", "pillar_id"]], on="initiative_id", how="left")
    mask = _in(frame["region_id"], filters.regions) & _in(frame["pillar_id"], filters.pillars)
    if filters.years:
        mask &= frame["year"].between(*filters.years)
    return frame[mask]


def cumulative_progress(progress: pd.DataFrame, target_id: str) -> pd.DataFrame:
    """Cumulative value by period for one target, summed over the regions present."""
    rows = progress[progress["target_id"] == target_id]
    by_period = rows.groupby("period_end", as_index=False)["value"].sum().sort_values("period_end")
    by_period["cumulative"] = by_period["value"].cumsum()
    return by_period.reset_index(drop=True)


def _year_fraction(dates: pd.Series) -> np.ndarray:
    return (dates.dt.year + (dates.dt.day_of_year - 1) / 365.25).to_numpy(dtype=float)


def projection(cumulative: pd.DataFrame, horizon_year: int) -> float | None:
    """Linear projection of the cumulative value to the end of the horizon year (least squares)."""
    if len(cumulative) < 2:
        return None
    x = _year_fraction(cumulative["period_end"])
    slope, intercept = np.polyfit(x, cumulative["cumulative"].to_numpy(dtype=float), 1)
    return float(slope * (horizon_year + 1) + intercept)


def trajectory(baseline_year: int, horizon_year: int, goal: float) -> pd.DataFrame:
    """The straight path from zero at the start of the period to the goal at the horizon's end."""
    return pd.DataFrame({
        "period_end": pd.to_datetime([f"{baseline_year + 1}-01-01", f"{horizon_year}-12-31"]).astype("datetime64[us]"),
        "value": [0.0, float(goal)],
    })


def narrows_years(filters: Filters, year_bounds: tuple[int, int]) -> bool:
    """Whether the year filter leaves out some of the years the data covers."""
    if filters.years is None:
        return False
    low, high = filters.years
    return low > year_bounds[0] or high < year_bounds[1]


def narrows_progress(filters: Filters, year_bounds: tuple[int, int]) -> bool:
    """Whether the filters leave out part of the progress counted towards the (national) goals:
    a region filter, or a year range that does not cover every year with data."""
    return bool(filters.regions) or narrows_years(filters, year_bounds)


def target_summary(targets: pd.DataFrame, progress: pd.DataFrame, *, partial: bool = False) -> pd.DataFrame:
    """One row per target: achieved so far, goal, share of goal, projection, status.

    `partial`: `progress` is a filtered part of the whole (see `narrows_progress`); the goals are
    national totals, so no target is called on track or at risk (status PARTIAL).
    """
    rows = []
    for target in targets.sort_values("sort_order").itertuples(index=False):
        cumulative = cumulative_progress(progress, target.target_id)
        achieved = float(cumulative["cumulative"].iloc[-1]) if len(cumulative) else 0.0
        goal = None if pd.isna(target.goal_value) else float(target.goal_value)
        projected = projection(cumulative, int(target.horizon_year))
        if goal is None:
            status = NO_TARGET
        elif cumulative.empty:
            status = NO_DATA
        elif partial:
            status = PARTIAL
        else:
            status = ON_TRACK if (projected or 0.0) >= goal else AT_RISK
        rows.append({
            "target_id": target.target_id,
            "achieved": achieved,
            "goal": goal,
            "share": achieved / goal if goal else None,
            "projected": projected,
            "status": status,
            "last_period": cumulative["period_end"].iloc[-1] if len(cumulative) else pd.NaT,
            "illustrative": bool(progress.loc[progress["target_id"] == target.target_id, "illustrative"].any()),
        })
    return pd.DataFrame(rows)


def progress_by_region(progress: pd.DataFrame, target_id: str) -> pd.DataFrame:
    rows = progress[progress["target_id"] == target_id]
    return rows.groupby("region_id", as_index=False)["value"].sum().sort_values("value", ascending=False)


def activities_by_country(activities: pd.DataFrame, countries: pd.DataFrame) -> pd.DataFrame:
    """Every country in the countries table with its activity count (zero when none)."""
    totals = activities.groupby("iso3", as_index=False)["activities"].sum()
    frame = countries.merge(totals, on="iso3", how="left")
    frame["activities"] = frame["activities"].fillna(0).astype("int64")
    return frame


def activities_by_year_region(activities: pd.DataFrame) -> pd.DataFrame:
    return activities.groupby(["year", "region_id"], as_index=False)["activities"].sum()


def capability_field_matrix(activities: pd.DataFrame, capabilities: pd.DataFrame,
                            fields: pd.DataFrame) -> pd.DataFrame:
    """Activities by D·N·A capability (rows) and application field (columns), zeros filled."""
    rows = activities.dropna(subset=["capability_id", "field_id"])
    matrix = rows.pivot_table(index="capability_id", columns="field_id", values="activities",
                              aggfunc="sum", fill_value=0)
    matrix = matrix.reindex(index=capabilities.sort_values("sort_order")["capability_id"],
                            columns=fields.sort_values("sort_order")["field_id"], fill_value=0)
    return matrix.astype("int64")


def capability_by_year(activities: pd.DataFrame) -> pd.DataFrame:
    """Activities per D·N·A capability and year (rows without a capability are left out)."""
    rows = activities.dropna(subset=["capability_id"])
    return rows.groupby(["year", "capability_id"], as_index=False)["activities"].sum()


def strategy_links(pillars: pd.DataFrame, initiatives: pd.DataFrame, regions: pd.DataFrame,
                   themes: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Source -> target links of pillar -> initiative -> region/theme, for a Sankey diagram."""
    name = f"name_{lang}"
    pillar_names = pillars.set_index("pillar_id")[name]
    initiative_names = initiatives.set_index("initiative_id")[name]
    pillar_of = initiatives.set_index("initiative_id")["pillar_id"]
    links = [(pillar_names[i.pillar_id], initiative_names[i.initiative_id], 1.0, i.pillar_id)
             for i in initiatives.sort_values("sort_order").itertuples(index=False)]
    regions_by_initiative = regions.groupby("initiative_id")[name].apply(list)
    for initiative_id in initiatives.sort_values("sort_order")["initiative_id"]:
        if initiative_id in regions_by_initiative.index:
            ends = regions_by_initiative[initiative_id]
        else:
            ends = themes.loc[themes["initiative_id"] == initiative_id, name].tolist()
        for end in ends:
            links.append((initiative_names[initiative_id], end, 1.0 / len(ends), pillar_of[initiative_id]))
    return pd.DataFrame(links, columns=["source", "target", "value", "pillar_id"])


def hierarchy(pillars: pd.DataFrame, initiatives: pd.DataFrame, themes: pd.DataFrame, lang: str) -> pd.DataFrame:
    """pillar -> initiative -> theme rows (one per theme) for sunburst/treemap paths."""
    name = f"name_{lang}"
    frame = themes[["initiative_id", name]].rename(columns={name: "theme"})
    frame = frame.merge(initiatives[["initiative_id", "pillar_id", name]].rename(columns={name: "initiative"}),
                        on="initiative_id")
    frame = frame.merge(pillars[["pillar_id", name]].rename(columns={name: "pillar"}), on="pillar_id")
    frame["count"] = 1
    return frame[["pillar_id", "pillar", "initiative_id", "initiative", "theme", "count"]]
