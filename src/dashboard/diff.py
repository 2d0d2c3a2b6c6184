"""What an upload would change: rows added, removed and changed (by the table's key), the changed
cells, and the effect on the headline figures. Plain functions over typed frames; no Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard import metrics
from dashboard.schema import TableSpec

CHANGE = "change"  # the column of `preview_frame` that says added / changed / removed
ADDED, CHANGED, REMOVED = "added", "changed", "removed"
_SEP = "\x1f"


@dataclass
class TableDiff:
    """Rows of `new` against `old`, matched by the table's key."""

    table: str
    key: tuple[str, ...]
    columns: list[str]
    added: pd.DataFrame  # rows only in the new table (new order)
    removed: pd.DataFrame  # rows only in the old table (old order)
    changed_before: pd.DataFrame  # old values of rows whose key is in both but a value differs
    changed_after: pd.DataFrame  # new values of the same rows, aligned with changed_before
    cells: pd.DataFrame  # one row per changed cell: key columns..., column, before, after (text)
    unchanged: int

    @property
    def counts(self) -> dict[str, int]:
        return {ADDED: len(self.added), CHANGED: len(self.changed_after), REMOVED: len(self.removed),
                "unchanged": self.unchanged}

    @property
    def has_changes(self) -> bool:
        return bool(len(self.added) or len(self.removed) or len(self.changed_after))


def display(value: object) -> str:
    """A cell as text for the preview: dates as YYYY-MM-DD, floats without noise, missing as ""."""
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.isoformat()
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.15g}"
    return str(value)


def _key_text(frame: pd.DataFrame, key: tuple[str, ...]) -> pd.Series:
    """One string per row identifying it by the key columns (missing parts are "")."""
    parts = []
    for column in key:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            text = values.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_float_dtype(values):
            text = values.map(display)
        else:
            text = values.astype("str")
        parts.append(text.where(values.notna(), "").astype("str"))
    if not parts:
        return pd.Series(range(len(frame)), index=frame.index).astype("str")
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + _SEP + part
    return joined


def _same(before: pd.Series, after: pd.Series) -> np.ndarray:
    """Elementwise "unchanged": equal values, or both missing."""
    if before.dtype != after.dtype:
        before, after = before.astype(object), after.astype(object)
    both_missing = before.isna().to_numpy() & after.isna().to_numpy()
    equal = (before == after)
    equal = equal.fillna(False).to_numpy(dtype=bool) if hasattr(equal, "fillna") else np.asarray(equal, bool)
    return equal | both_missing


def diff_tables(spec: TableSpec, old: pd.DataFrame, new: pd.DataFrame) -> TableDiff:
    """Compare the published `old` with the uploaded `new` (both typed, keys unique in `new`)."""
    key = tuple(k for k in spec.key if k in old.columns and k in new.columns)
    columns = [c for c in spec.column_names if c in new.columns]
    old = old.reset_index(drop=True)
    new = new.reset_index(drop=True)
    # plain object arrays: hash lookups on them are far faster than isin on arrow-backed strings
    old_keys = _key_text(old, key).to_numpy(dtype=object)
    new_keys = _key_text(new, key).to_numpy(dtype=object)
    old_first = ~pd.Index(old_keys, dtype=object).duplicated()
    old_index = pd.Index(old_keys[old_first], dtype=object)
    old_unique = old[old_first].reset_index(drop=True)

    positions = old_index.get_indexer(new_keys)  # old_index is unique, so any target works
    in_old = positions >= 0
    in_new = pd.Index(new_keys, dtype=object).drop_duplicates().get_indexer(old_keys) >= 0
    added = new[~in_old]
    removed = old[~in_new]

    matched_new = new[in_old].reset_index(drop=True)
    matched_old = old_unique.iloc[positions[in_old]].reset_index(drop=True)
    compare = [c for c in columns if c not in key and c in old.columns]
    differs = {}
    any_diff = np.zeros(len(matched_new), dtype=bool)
    for column in compare:
        mask = ~_same(matched_old[column], matched_new[column])
        differs[column] = mask
        any_diff |= mask
    for column in columns:
        if column not in old.columns:  # a column the old version did not have: every row changes
            differs[column] = np.ones(len(matched_new), dtype=bool)
            any_diff[:] = True
    changed_before = matched_old[any_diff].reset_index(drop=True)
    changed_after = matched_new[any_diff].reset_index(drop=True)

    records = []
    for position in np.flatnonzero(any_diff):
        ident = {k: display(matched_new.at[position, k]) for k in key}
        for column, mask in differs.items():
            if mask[position]:
                before = matched_old.at[position, column] if column in matched_old else None
                records.append({**ident, "column": column, "before": display(before),
                                "after": display(matched_new.at[position, column])})
    cells = pd.DataFrame(records, columns=[*key, "column", "before", "after"])
    return TableDiff(spec.name, key, columns, added.reset_index(drop=True), removed.reset_index(drop=True),
                     changed_before, changed_after, cells, int((~any_diff).sum()))


def preview_frame(diff: TableDiff, limit: int = 500) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows to show before publishing (added, changed, removed; at most `limit`) as text, with a
    same-shaped boolean frame marking the cells to highlight (every cell of an added or removed
    row, the changed cells of a changed row). The first column, `change`, says which."""
    parts: list[pd.DataFrame] = []
    masks: list[pd.DataFrame] = []
    columns = diff.columns
    changed_cols = {}
    if len(diff.changed_after):
        before, after = diff.changed_before, diff.changed_after
        for column in columns:
            if column in before.columns:
                changed_cols[column] = ~_same(before[column], after[column])
            else:
                changed_cols[column] = np.ones(len(after), dtype=bool)
    for kind, frame in ((ADDED, diff.added), (CHANGED, diff.changed_after), (REMOVED, diff.removed)):
        if not len(frame):
            continue
        shown = pd.DataFrame({c: frame[c].map(display) if c in frame else "" for c in columns})
        shown.insert(0, CHANGE, kind)
        if kind == CHANGED:
            mask = pd.DataFrame({c: changed_cols[c] for c in columns})
        else:
            mask = pd.DataFrame(True, index=range(len(frame)), columns=columns)
        mask.insert(0, CHANGE, True)
        parts.append(shown)
        masks.append(mask)
    if not parts:
        empty = pd.DataFrame(columns=[CHANGE, *columns])
        return empty, empty.astype(bool)
    shown = pd.concat(parts, ignore_index=True).head(limit)
    mask = pd.concat(masks, ignore_index=True).head(limit)
    return shown, mask


# --------------------------------------------------------------------------- headline effects


def _with(tables: Mapping[str, pd.DataFrame], name: str, frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    out = dict(tables)
    out[name] = frame
    return out


def _target_rows(tables: Mapping[str, pd.DataFrame]) -> dict[tuple[str, str], object]:
    summary = metrics.target_summary(tables["targets"], tables["progress"])
    values: dict[tuple[str, str], object] = {}
    for row in summary.itertuples(index=False):
        values[(row.target_id, "achieved")] = row.achieved
        values[(row.target_id, "projected")] = row.projected
        values[(row.target_id, "share")] = row.share
        values[(row.target_id, "status")] = row.status
    return values


def _activity_rows(tables: Mapping[str, pd.DataFrame]) -> dict[tuple[str, str], object]:
    joined = tables["activities"].merge(tables["countries"][["iso3", "region_id"]], on="iso3", how="left")
    totals = joined.groupby("region_id", dropna=False)["activities"].sum()
    return {(str(region) if pd.notna(region) else "", "activities"): float(total)
            for region, total in totals.items()}


def _country_rows(tables: Mapping[str, pd.DataFrame]) -> dict[tuple[str, str], object]:
    counts = tables["countries"].groupby("region_id")["iso3"].count()
    return {(str(region), "countries"): float(count) for region, count in counts.items()}


# Which headline figures each table feeds.
_EFFECTS = {
    "targets": (_target_rows,),
    "progress": (_target_rows,),
    "activities": (_activity_rows,),
    "countries": (_country_rows, _activity_rows),
}


def headline_effects(table: str, new: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The headline figures this upload would move: subject, measure, before, after, changed.

    Progress/targets: each target's achieved value, share of goal, projection and status.
    Activities/countries: activities (and countries) per region. Every table: its row count.
    `before`/`after` are numbers or status codes (None when not defined); the page formats them.
    """
    rows: list[dict[str, object]] = [{"subject": table, "measure": "rows", "before": float(len(tables[table]))
                                      if table in tables else None, "after": float(len(new))}]
    after_tables = _with(tables, table, new)
    for effect in _EFFECTS.get(table, ()):
        try:
            before, after = effect(tables), effect(after_tables)
        except (KeyError, ValueError, TypeError, np.linalg.LinAlgError):
            continue  # a headline that cannot be computed is left out, never a crash
        for subject, measure in sorted(set(before) | set(after)):
            rows.append({"subject": subject, "measure": measure, "before": before.get((subject, measure)),
                         "after": after.get((subject, measure))})
    frame = pd.DataFrame(rows, columns=["subject", "measure", "before", "after"])
    frame["changed"] = [not _equal_value(b, a) for b, a in zip(frame["before"], frame["after"], strict=True)]
    return frame


def _equal_value(before: object, after: object) -> bool:
    if display(before) == "" and display(after) == "":
        return True
    if isinstance(before, (int, float)) and isinstance(after, (int, float)):
        return math.isclose(float(before), float(after), rel_tol=1e-9, abs_tol=1e-9)
    return before == after
