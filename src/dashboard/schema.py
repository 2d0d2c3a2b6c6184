"""Declared schemas of every table, read from `data/schema/*.csv`.

The schema lives in data (not code) so that analysts can read it in the app and in the templates;
this module turns it into typed specs and into pandera schemas for validation.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandera.pandas as pa
import pycountry

from dashboard.paths import DATA_DIR

SCHEMA_DIR = DATA_DIR / "schema"
COLUMN_TYPES = ("str", "int", "float", "bool", "date")
TABLE_KINDS = ("reference", "sourced", "series")
MAX_TEXT_LENGTH = 2000
PANDAS_DTYPES = {"str": "str", "int": "Int64", "float": "float64", "bool": "boolean", "date": None}


@dataclass(frozen=True)
class ColumnSpec:
    """One declared column: its type, constraints, reference and bilingual documentation."""

    table: str
    name: str
    type: str
    required: bool
    nullable: bool
    allowed: tuple[str, ...] | None
    pattern: str | None
    minimum: float | None
    maximum: float | None
    references: tuple[str, str] | None
    label_ko: str
    label_en: str
    description_ko: str
    description_en: str
    example: str

    def label(self, lang: str) -> str:
        return self.label_ko if lang == "ko" else self.label_en

    def description(self, lang: str) -> str:
        return self.description_ko if lang == "ko" else self.description_en


@dataclass(frozen=True)
class TableSpec:
    """One declared table: its columns, unique key and kind (reference, sourced facts, series)."""

    name: str
    sort_order: int
    key: tuple[str, ...]
    kind: str
    title_ko: str
    title_en: str
    description_ko: str
    description_en: str
    columns: tuple[ColumnSpec, ...] = field(default=())

    def title(self, lang: str) -> str:
        return self.title_ko if lang == "ko" else self.title_en

    def description(self, lang: str) -> str:
        return self.description_ko if lang == "ko" else self.description_en

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> ColumnSpec:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name}.{name}")

    def header_aliases(self) -> dict[str, str]:
        """Every accepted header spelling (canonical, Korean label, English label) -> column name."""
        aliases: dict[str, str] = {}
        for col in self.columns:
            for alias in (col.name, col.label_ko, col.label_en):
                aliases[alias.strip().casefold()] = col.name
        return aliases

    @property
    def references(self) -> dict[str, tuple[str, str]]:
        return {c.name: c.references for c in self.columns if c.references}


class SchemaDefinitionError(ValueError):
    """The schema files themselves are inconsistent (a developer error, caught by the tests)."""


def _opt_float(text: str) -> float | None:
    return float(text) if text.strip() else None


def _read_csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def table_specs(schema_dir: Path = SCHEMA_DIR) -> dict[str, TableSpec]:
    """All table specs, in display order, read once per process."""
    columns_by_table: dict[str, list[ColumnSpec]] = {}
    for row in _read_csv_rows(schema_dir / "columns.csv"):
        if row["type"] not in COLUMN_TYPES:
            raise SchemaDefinitionError(f"{row['table']}.{row['column']}: unknown type {row['type']!r}")
        ref = row["references"].strip()
        allowed = row["allowed"].strip()
        spec = ColumnSpec(
            table=row["table"],
            name=row["column"],
            type=row["type"],
            required=row["required"] == "true",
            nullable=row["nullable"] == "true",
            allowed=tuple(allowed.split("|")) if allowed else None,
            pattern=row["pattern"].strip() or None,
            minimum=_opt_float(row["min"]),
            maximum=_opt_float(row["max"]),
            references=tuple(ref.split(".", 1)) if ref else None,  # type: ignore[arg-type]
            label_ko=row["label_ko"],
            label_en=row["label_en"],
            description_ko=row["description_ko"],
            description_en=row["description_en"],
            example=row["example"],
        )
        columns_by_table.setdefault(spec.table, []).append(spec)
    specs: dict[str, TableSpec] = {}
    for row in sorted(_read_csv_rows(schema_dir / "tables.csv"), key=lambda r: int(r["sort_order"])):
        name = row["table"]
        if row["kind"] not in TABLE_KINDS:
            raise SchemaDefinitionError(f"{name}: unknown kind {row['kind']!r}")
        specs[name] = TableSpec(
            name=name,
            sort_order=int(row["sort_order"]),
            key=tuple(row["key"].split("|")),
            kind=row["kind"],
            title_ko=row["title_ko"],
            title_en=row["title_en"],
            description_ko=row["description_ko"],
            description_en=row["description_en"],
            columns=tuple(columns_by_table.pop(name, [])),
        )
    if columns_by_table:
        raise SchemaDefinitionError(f"columns declared for unknown tables: {sorted(columns_by_table)}")
    return specs


def table_spec(name: str) -> TableSpec:
    try:
        return table_specs()[name]
    except KeyError:
        raise SchemaDefinitionError(f"unknown table {name!r}") from None


@cache
def iso3_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-3 codes from pycountry (a maintained copy of the ISO list)."""
    return frozenset(country.alpha_3 for country in pycountry.countries)


def allowed_values(column: ColumnSpec) -> tuple[str, ...] | None:
    if column.allowed == ("@iso3",):
        return tuple(sorted(iso3_codes()))
    return column.allowed


def column_checks(column: ColumnSpec, references: frozenset[str] | None = None) -> list[tuple[str, pa.Check]]:
    """(problem code, pandera check) pairs for one column, in the order pandera numbers them."""
    checks: list[tuple[str, pa.Check]] = []
    allowed = allowed_values(column)
    if allowed is not None:
        checks.append(("allowed", pa.Check.isin(list(allowed))))
    if column.pattern:
        checks.append(("pattern", pa.Check.str_matches(column.pattern)))
    if column.minimum is not None:
        checks.append(("minimum", pa.Check.ge(column.minimum)))
    if column.maximum is not None:
        checks.append(("maximum", pa.Check.le(column.maximum)))
    if column.references and references is not None:
        checks.append(("reference", pa.Check.isin(sorted(references))))
    if column.type == "str":
        checks.append(("too_long", pa.Check(lambda s: s.str.len() <= MAX_TEXT_LENGTH, name="too_long")))
    return checks


def pandera_schema(
    spec: TableSpec, reference_values: dict[str, frozenset[str]] | None = None
) -> pa.DataFrameSchema:
    """The pandera schema of a typed frame; references become `isin` checks on the given keys."""
    reference_values = reference_values or {}
    columns = {
        col.name: pa.Column(
            PANDAS_DTYPES[col.type],
            checks=[check for _, check in column_checks(col, reference_values.get(col.name))],
            nullable=col.nullable,
            required=col.required,
            coerce=False,
        )
        for col in spec.columns
    }
    return pa.DataFrameSchema(columns, strict=True, unique=list(spec.key), report_duplicates="all")
