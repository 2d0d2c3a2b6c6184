"""Reading the shipped CSV tables and validating them together (references across tables).

Pure functions, no Streamlit: the UI wraps them in caches (see `dashboard.ui.data`).
"""

from __future__ import annotations

from collections.abc import Mapping
from graphlib import TopologicalSorter
from pathlib import Path

import pandas as pd

from dashboard.paths import DATA_DIR
from dashboard.schema import TableSpec, table_specs
from dashboard.validation import Problem, ValidationError, validate_frame


def read_csv_strings(path: Path) -> pd.DataFrame:
    """A shipped CSV as strings (typing is the validator's job); empty cells become NA."""
    frame = pd.read_csv(path, dtype="str", keep_default_na=False, encoding="utf-8")
    return frame.replace("", pd.NA)


def dependency_order(specs: Mapping[str, TableSpec] | None = None) -> list[str]:
    """Tables ordered so that each comes after the tables it references."""
    specs = specs or table_specs()
    graph = {name: {ref_table for ref_table, _ in spec.references.values() if ref_table != name}
             for name, spec in specs.items()}
    return list(TopologicalSorter(graph).static_order())


def reference_values(spec: TableSpec, tables: Mapping[str, pd.DataFrame]) -> dict[str, frozenset[str]]:
    """For each referencing column, the key values that exist in the referenced table."""
    values: dict[str, frozenset[str]] = {}
    for column, (ref_table, ref_column) in spec.references.items():
        if ref_table in tables:
            values[column] = frozenset(tables[ref_table][ref_column].dropna().astype("str"))
    return values


def validate_table(name: str, raw: pd.DataFrame, tables: Mapping[str, pd.DataFrame],
                   row_numbers: list[int] | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate one table of strings against its schema and the already-typed `tables`."""
    spec = table_specs()[name]
    report = validate_frame(raw, spec, reference_values=reference_values(spec, tables), row_numbers=row_numbers)
    return report.frame, report.problems


def load_csv_tables(data_dir: Path = DATA_DIR, *, reference_only: bool = False) -> dict[str, pd.DataFrame]:
    """Every declared table from `data_dir`, typed and validated; raises on the first broken file."""
    tables: dict[str, pd.DataFrame] = {}
    for name in dependency_order():
        if reference_only and table_specs()[name].kind == "series":
            continue
        path = data_dir / f"{name}.csv"
        if not path.exists():
            raise ValidationError(name, [Problem(name, None, None, None, "missing_file", {"file": path.name})],
                                  source=path.name)
        frame, problems = validate_table(name, read_csv_strings(path), tables)
        if problems:
            raise ValidationError(name, problems, source=path.name)
        tables[name] = frame
    return tables


def check_references(tables: Mapping[str, pd.DataFrame]) -> list[Problem]:
    """Re-check every table's references against the current set (e.g. after one table changed)."""
    problems: list[Problem] = []
    for name in dependency_order():
        if name not in tables:
            continue
        spec = table_specs()[name]
        for column, allowed in reference_values(spec, tables).items():
            values = tables[name][column]
            missing = values.notna() & ~values.astype("str").isin(allowed)
            for position in missing.to_numpy().nonzero()[0]:
                ref_table, ref_column = spec.references[column]
                problems.append(Problem(name, int(position) + 2, column, str(values.iloc[position]), "reference",
                                        {"table": ref_table, "column": ref_column, "allowed": ""}))
    return problems
