"""World maps of the partner regions: countries by region or by a measure, belts as great-circle arcs,
hubs as points, Korea as the origin; plus the plain-DataFrame helpers of the map's drill-down.

Geometry is served by the app itself (see `geo_assets`); figures here only reference ISO-3 ids, so the
figure JSON stays small. No Streamlit here: the page (`pages/regions.py`) wires these to widgets.

Selections are stable ids: a region id from the `regions` table (``SEA``) or a country's ISO-3 code
(``VNM``); region ids win when an id is both.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import geo_assets, metrics, theme
from dashboard.figure_text import escape_text
from dashboard.i18n import t

TEMPLATE = theme.register_template()
ARC_POINTS = 24
#: Target for the JSON of all figures on the regions page (the issue's budget).
FIGURE_JSON_BUDGET = 1_500_000
#: Korea-centred (Pacific-centred) world, as Korean maps are drawn. The map's edge is then at 33°W,
#: in the Atlantic between the Azores and Brazil, so no arc from Seoul (westward to Europe,
#: eastward over the Pacific to the US) crosses the edge of the map.
CENTRE_LON = 147.0
LAT_RANGE = (-50.0, 80.0)
#: A partner whose largest polygon covers less than this (square degrees) gets a clickable marker.
SMALL_AREA_DEG2 = 1.5
#: Light-to-dark blues; the lightest is darker than the base land so a zero still reads as data.
MEASURE_SCALE = ("#d4e4f2", "#9ecae1", "#4292c6", "#08519c", "#08306b")
NO_DATA_COLOUR = "#b9c0c9"
LAND_COLOUR = "#eef1f4"
BORDER_COLOUR = "#c9ced6"
HIGHLIGHT_WIDTH = 2.6
DIMMED = 0.3
SEOUL_MARKER = "#F0E442"
#: The Korean Peninsula inset: paper-coordinate box (x0, x1, y0, y1) in the South Pacific, and its view.
INSET_DOMAIN = (0.665, 0.8, 0.08, 0.44)
INSET_LON = (123.5, 131.5)
INSET_LAT = (33.0, 43.2)
INSET_MIN_HEIGHT = 420
#: The inset uses the 110m file: the peninsula reads well at that scale, and a second subplot on the
#: 50m file would make plotly.js download that 1.5 MB file twice (both subplots fetch at once).
INSET_RESOLUTION = 110
#: Roles of the `regions` table (their i18n keys are regions.role_<role>).
ROLES = ("belt", "package", "inter_korean")
#: Height added to the initiatives chart per legend row (one initiative, full name, per row).
LEGEND_ROW_HEIGHT = 22
#: Display columns of a legend row before a name wraps (13 px text: ~340 px, inside a half-page column).
LEGEND_COLUMNS = 50

REGION_MEASURE = "region"
ACTIVITIES_MEASURE = "activities"
EXPORTS_MEASURE = "exports"
PROGRESS_PREFIX = "progress-"


# --- geometry -------------------------------------------------------------------------------------


def great_circle(start: tuple[float, float], end: tuple[float, float],
                 points: int = ARC_POINTS) -> tuple[list[float], list[float]]:
    """Latitudes and longitudes along the great circle from `start` to `end` (both (lat, lon))."""
    lat1, lon1, lat2, lon2 = map(np.radians, (*start, *end))
    a = np.array([np.cos(lat1) * np.cos(lon1), np.cos(lat1) * np.sin(lon1), np.sin(lat1)])
    b = np.array([np.cos(lat2) * np.cos(lon2), np.cos(lat2) * np.sin(lon2), np.sin(lat2)])
    omega = np.arccos(np.clip(a @ b, -1.0, 1.0))
    if omega < 1e-9:
        return [float(start[0])] * 2, [float(start[1])] * 2
    steps = np.linspace(0.0, 1.0, points)
    vectors = (np.sin((1 - steps) * omega)[:, None] * a + np.sin(steps * omega)[:, None] * b) / np.sin(omega)
    lats = np.degrees(np.arcsin(np.clip(vectors[:, 2], -1, 1)))
    lons = np.degrees(np.arctan2(vectors[:, 1], vectors[:, 0]))
    return [round(float(v), 3) for v in lats], [round(float(v), 3) for v in lons]


@lru_cache(maxsize=None)
def _largest_polygon_areas(resolution: int) -> dict[str, float]:
    """{id: bounding-box area in square degrees of the country's largest polygon} from the topojson."""
    topology = json.loads(geo_assets.topojson_path(resolution).read_text(encoding="utf-8"))
    scale, translate = topology["transform"]["scale"], topology["transform"]["translate"]
    boxes = []
    for arc in topology["arcs"]:
        coords = np.cumsum(np.asarray(arc, dtype=float), axis=0)
        lon = coords[:, 0] * scale[0] + translate[0]
        lat = coords[:, 1] * scale[1] + translate[1]
        boxes.append((lon.min(), lon.max(), lat.min(), lat.max()))
    areas: dict[str, float] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        gid = geometry.get("id")
        if not isinstance(gid, str) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        best = 0.0
        for polygon in polygons:
            outer = [boxes[i if i >= 0 else ~i] for i in polygon[0]]
            width = max(b[1] for b in outer) - min(b[0] for b in outer)
            height = max(b[3] for b in outer) - min(b[2] for b in outer)
            best = max(best, width * height)
        areas[gid] = max(areas.get(gid, 0.0), best)
    return areas


def small_countries(iso3: Iterable[str], resolution: int = 50) -> list[str]:
    """The ids among `iso3` whose shapes are too small to see or click on a world map (SGP, MDV, MLT ...)."""
    areas = _largest_polygon_areas(resolution)
    return [code for code in iso3 if code in areas and areas[code] < SMALL_AREA_DEG2]


def missing_geometry(countries: pd.DataFrame, resolution: int = 50) -> list[str]:
    """ISO-3 codes of the `countries` table with no shape in the served geometry (drawn as markers)."""
    available = geo_assets.geometry_iso3(resolution)
    return [code for code in countries["iso3"] if code not in available]


# --- regions, belts, origin -----------------------------------------------------------------------


def _is_origin(countries: pd.DataFrame) -> pd.Series:
    return countries["is_origin"].fillna(False).astype(bool)


def origin(countries: pd.DataFrame) -> pd.Series:
    """Korea, the origin of every arc (the row flagged `is_origin`)."""
    return countries[_is_origin(countries)].iloc[0]


def partners(countries: pd.DataFrame) -> pd.DataFrame:
    """Every country of the table except the origin."""
    return countries[~_is_origin(countries)]


def belt_arcs(countries: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """One arc per partner country in a region whose role is a cooperation belt."""
    seoul = origin(countries)
    belt_regions = set(regions.loc[regions["role"] == "belt", "region_id"])
    members = partners(countries)
    members = members[members["region_id"].isin(belt_regions)]
    rows = []
    for partner in members.itertuples(index=False):
        lats, lons = great_circle((seoul.capital_lat, seoul.capital_lon), (partner.capital_lat, partner.capital_lon))
        rows.append({"iso3": partner.iso3, "region_id": partner.region_id, "lats": lats, "lons": lons})
    return pd.DataFrame(rows, columns=["iso3", "region_id", "lats", "lons"])


def in_regions(countries: pd.DataFrame, region_ids: Iterable[str]) -> pd.DataFrame:
    """The countries of the chosen regions plus the origin (all countries when none are chosen)."""
    chosen = list(region_ids)
    if not chosen:
        return countries
    return countries[countries["region_id"].isin(chosen) | _is_origin(countries)]


def role_text(role: str, lang: str) -> str:
    key = f"regions.role_{role}"
    text = t(key, lang)
    return "" if text == key else text


# --- selection ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """What the map, picker or URL selected: one region or one country."""

    id: str
    kind: str  # "region" or "country"
    iso3: tuple[str, ...]
    region_ids: tuple[str, ...]


def resolve_selection(sel: str | None, countries: pd.DataFrame, regions: pd.DataFrame) -> Selection | None:
    """The `Selection` for a stable id (region id or ISO-3), or None when the id is empty or unknown."""
    if not sel:
        return None
    if sel in set(regions["region_id"]):
        members = countries.loc[countries["region_id"] == sel, "iso3"]
        return Selection(sel, "region", tuple(members), (sel,))
    rows = countries[countries["iso3"] == sel]
    if rows.empty:
        return None
    return Selection(sel, "country", (sel,), tuple(dict.fromkeys(rows["region_id"])))


def region_of(iso3: str, countries: pd.DataFrame) -> str | None:
    """The region id of a country (None when the code is not in the table)."""
    rows = countries.loc[countries["iso3"] == iso3, "region_id"]
    return str(rows.iloc[0]) if len(rows) else None


def selection_options(countries: pd.DataFrame, regions: pd.DataFrame) -> list[str]:
    """Picker options: no selection, every region (in order), then every country grouped by region."""
    ordered = regions.sort_values("sort_order")
    order = {rid: i for i, rid in enumerate(ordered["region_id"])}
    members = countries.assign(_order=countries["region_id"].map(order).fillna(len(order)))
    members = members.sort_values(["_order", "iso3"], kind="stable")
    region_ids = list(ordered["region_id"])
    return ["", *region_ids, *[c for c in members["iso3"] if c not in region_ids]]


def selection_name(sel: str, countries: pd.DataFrame, regions: pd.DataFrame, lang: str) -> str:
    """Display name of a selection id in `lang` (the id itself when unknown)."""
    name = f"name_{lang}"
    region_rows = regions[regions["region_id"] == sel]
    if len(region_rows):
        return str(region_rows[name].iloc[0])
    rows = countries[countries["iso3"] == sel]
    return str(rows[name].iloc[0]) if len(rows) else sel


def picker_labels(tables: Mapping[str, pd.DataFrame], region_ids: tuple[str, ...], lang: str) -> dict[str, str]:
    """Every picker option's label at once (cheap to cache; one label filters the frames)."""
    regions = tables["regions"]
    countries = in_regions(tables["countries"], region_ids)
    shown = regions[regions["region_id"].isin(region_ids)] if region_ids else regions
    return {option: selection_option_label(option, countries, shown, lang)
            for option in selection_options(countries, shown)}


def selection_option_label(sel: str, countries: pd.DataFrame, regions: pd.DataFrame, lang: str) -> str:
    """How an option reads in the picker: "Region: Southeast Asia", "Viet Nam (VNM) · Southeast Asia"."""
    if not sel:
        return t("regions.pick_none", lang)
    if sel in set(regions["region_id"]):
        return t("regions.pick_region", lang, name=selection_name(sel, countries, regions, lang))
    rows = countries[countries["iso3"] == sel]
    region = selection_name(str(rows["region_id"].iloc[0]), countries, regions, lang) if len(rows) else ""
    return t("regions.pick_country", lang, name=selection_name(sel, countries, regions, lang), iso3=sel,
             region=region)


def selection_from_points(points: Sequence[Mapping], countries: pd.DataFrame) -> str | None:
    """The ISO-3 code of the most recently clicked country in a Streamlit Plotly selection event.

    Country shapes report their ISO-3 id as ``location``; markers (small countries, hubs) carry it as
    the first ``customdata`` value. Arcs and anything that is not a known country are ignored.
    """
    known = set(countries["iso3"])
    for point in reversed(list(points or [])):
        location = point.get("location")
        if isinstance(location, str) and location in known:
            return location
        custom = point.get("customdata")
        if isinstance(custom, (list, tuple)) and custom and isinstance(custom[0], str) and custom[0] in known:
            return custom[0]
    return None


# --- measures -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """A value per country (NaN = no data) shown as colour intensity, with its legend text."""

    id: str
    values: pd.Series
    label: str
    unit: str = ""
    period: str = ""
    scope: str = "country"  # "country" or "region" (every country shows its region's total)
    value_format: str = ",.0f"
    illustrative: bool = False
    sources: tuple[str, ...] = field(default=())

    @property
    def title(self) -> str:
        """Legend title: label, unit and period on separate lines."""
        parts = [plain(self.label) + (f" ({plain(self.unit)})" if self.unit else "")]
        if self.period:
            parts.append(plain(self.period))
        return "<br>".join(parts)


def measure_options(targets: pd.DataFrame) -> list[str]:
    """The measures the map can show: regions, activities, each target's progress, ICT exports."""
    ordered = targets.sort_values("sort_order")["target_id"] if "sort_order" in targets else targets["target_id"]
    return [REGION_MEASURE, ACTIVITIES_MEASURE, *[PROGRESS_PREFIX + str(tid) for tid in ordered], EXPORTS_MEASURE]


def measure_option_label(measure_id: str, targets: pd.DataFrame, lang: str) -> str:
    if measure_id.startswith(PROGRESS_PREFIX):
        target_id = measure_id.removeprefix(PROGRESS_PREFIX)
        rows = targets[targets["target_id"] == target_id]
        name = str(rows[f"name_{lang}"].iloc[0]) if len(rows) else target_id
        return t("regions.measure_progress", lang, target=target_id, name=name)
    key = f"regions.measure_{measure_id}"
    text = t(key, lang)
    return measure_id if text == key else text


def _years_text(years: tuple[int, int] | None, seen: Iterable[int]) -> str:
    present = sorted({int(y) for y in seen})
    if years:
        low, high = years
    elif present:
        low, high = present[0], present[-1]
    else:
        return ""
    return str(low) if low == high else f"{low}–{high}"


def compute_measure(measure_id: str, tables: Mapping[str, pd.DataFrame] | object, filters: metrics.Filters,
                    lang: str) -> Measure | None:
    """The values of `measure_id` per ISO-3 code, with the sidebar filters applied (None = colour by region).

    * ``activities``: cooperation activities per country (activities table; year, pillar, region filters);
    * ``progress-<target>``: a target's progress summed over the periods ending in the chosen years, per
      region (every country of a region shows the region's total; regions with no rows show no data);
    * ``exports``: Korea's ICT exports by destination in the latest year of the chosen range that has
      figures (only the destinations given in the sources: the others show no data).
    """
    countries = tables["countries"]
    codes = partners(countries)["iso3"]
    if measure_id == ACTIVITIES_MEASURE:
        activity = metrics.filter_activities(tables["activities"], countries, tables["initiatives"], filters)
        by_country = metrics.activities_by_country(activity, countries).set_index("iso3")["activities"]
        return Measure(
            measure_id, by_country.reindex(codes).astype(float), t("regions.measure_activities", lang),
            period=_years_text(filters.years, activity["year"].dropna()),
            illustrative=bool(activity["illustrative"].fillna(False).any()))
    if measure_id.startswith(PROGRESS_PREFIX):
        target_id = measure_id.removeprefix(PROGRESS_PREFIX)
        targets = tables["targets"]
        rows = targets[targets["target_id"] == target_id]
        if rows.empty:
            return None
        progress = metrics.filter_progress(tables["progress"], filters)
        progress = progress[progress["target_id"] == target_id]
        by_region = metrics.progress_by_region(progress, target_id).set_index("region_id")["value"]
        values = countries.set_index("iso3")["region_id"].map(by_region).reindex(codes).astype(float)
        unit = str(rows["unit"].iloc[0])
        return Measure(
            measure_id, values, t("regions.measure_progress_short", lang, target=target_id),
            unit=t(f"unit.{unit}", lang), scope="region",
            period=_years_text(filters.years, progress["period_end"].dt.year.dropna()),
            value_format=",.1f" if unit.startswith("usd") else ",.0f",
            illustrative=bool(progress["illustrative"].fillna(False).any()))
    if measure_id == EXPORTS_MEASURE:
        exports = tables["ict_exports_by_destination"]
        if filters.years:
            exports = exports[exports["year"].between(*filters.years)]
        values = pd.Series(np.nan, index=pd.Index(codes, name="iso3"), dtype=float)
        period = ""
        sources: tuple[str, ...] = ()
        if len(exports):
            latest = int(exports["year"].max())
            rows = exports[exports["year"] == latest]
            values = rows.groupby("destination_id")["exports_usd_bn"].sum().reindex(codes).astype(float)
            period = str(latest)
            sources = tuple(dict.fromkeys(str(s) for s in rows["source"].dropna()))
        return Measure(measure_id, values, t("regions.measure_exports_short", lang), unit=t("unit.usd_bn", lang),
                       period=period, value_format=",.2f", sources=sources)
    return None


# --- the figure -----------------------------------------------------------------------------------


def _format(value: float, value_format: str) -> str:
    return format(value, value_format) if pd.notna(value) else ""


def localise_opened(opened: object, lang: str) -> str:
    """The hubs' `opened` text with its one English word ("1993 (office)") in the UI language."""
    text = "" if opened is None or (isinstance(opened, float) and np.isnan(opened)) else str(opened)
    return text.replace("(office)", t("regions.opened_office", lang))


def plain(text: object) -> str:
    """A data string as Plotly text, not pseudo-HTML (see `figure_text`: every '<' neutralised).

    The map escapes its data strings itself rather than through `figure_text.escape_figure`, because
    its colour-bar title uses a line break of our own inside trace data.
    """
    return escape_text("" if text is None else str(text))


def _hover(lines: Iterable[str]) -> str:
    return "<br>".join(lines) + "<extra></extra>"


def _add_choropleth(fig: go.Figure, rows: pd.DataFrame, z: str | float, custom: list[str], **kwargs) -> None:
    """Add `rows` as choropleth traces, one per opacity in rows["opacity"] (full opacity first).

    plotly.js styles a choropleth with one scalar ``marker.opacity`` (an array is ignored), so a
    selection dims the other countries through separate traces. Only the first trace keeps the
    legend entry and the colour bar.
    """
    first = True
    for opacity in sorted(rows["opacity"].unique(), reverse=True):
        part = rows[rows["opacity"] == opacity]
        options = dict(kwargs)
        if not first:
            options.update(showlegend=False, showscale=False)
            options.pop("colorbar", None)
        fig.add_trace(go.Choropleth(
            locations=part["iso3"].tolist(), z=part[z].tolist() if isinstance(z, str) else [z] * len(part),
            locationmode="ISO-3", marker=dict(line=dict(color="#ffffff", width=0.6), opacity=float(opacity)),
            customdata=part[custom].to_numpy(), **options))
        first = False


def region_map(countries: pd.DataFrame, regions: pd.DataFrame, hubs: pd.DataFrame | None, lang: str, *,
               measure: Measure | pd.Series | None = None, measure_label: str | None = None,
               selected: str | Selection | None = None, height: int = 520, show_arcs: bool = True,
               resolution: int = 50, inset: bool | None = None) -> go.Figure:
    """Partner countries coloured by region (or by `measure`), belts as arcs from Seoul, hubs, Korea highlighted.

    `countries` decides what is drawn (pass a subset for a region filter; keep the origin row).
    `selected` (a region id, an ISO-3 code or a `Selection`) is outlined and the rest dimmed.
    Every trace carries the country's ISO-3 code as ``location`` or as ``customdata[0]``, which is
    what `selection_from_points` reads back from a click. `inset` adds the enlarged Korean Peninsula
    (default: when the map is at least `INSET_MIN_HEIGHT` px high).
    """
    if isinstance(measure, pd.Series):
        measure = Measure("custom", measure.astype(float), measure_label or "")
    if isinstance(selected, str) or selected is None:
        selected = resolve_selection(selected, countries, regions)
    chosen = set(selected.iso3) if selected else set()
    name = f"name_{lang}"
    ordered = regions.sort_values("sort_order")
    region_names = ordered.set_index("region_id")[name]
    region_roles = ordered.set_index("region_id")["role"].map(lambda r: role_text(str(r), lang))
    initiative_of = ordered.set_index("region_id")["initiative_id"]
    colours = theme.region_colours(list(ordered["region_id"]))
    available = geo_assets.geometry_iso3(resolution)
    members = partners(countries).copy()
    members[name] = members[name].map(plain)
    members["region_name"] = members["region_id"].map(region_names).fillna(members["region_id"]).map(plain)
    members["role"] = members["region_id"].map(region_roles).fillna("")
    members["role_line"] = [f"{role} ({plain(initiative_of.get(rid, ''))})" if role else ""
                            for role, rid in zip(members["role"], members["region_id"], strict=True)]
    members["opacity"] = [1.0 if not chosen or code in chosen else DIMMED for code in members["iso3"]]
    on_map = members[members["iso3"].isin(available)]
    tiny = small_countries(members["iso3"], resolution)
    as_marker = members[~members["iso3"].isin(available) | members["iso3"].isin(tiny)]
    fig = go.Figure()
    no_effect = dict(selected=dict(marker=dict(opacity=1.0)), unselected=dict(marker=dict(opacity=1.0)))

    if measure is None:
        for region in ordered.itertuples(index=False):
            shapes = on_map[on_map["region_id"] == region.region_id]
            dots = as_marker[as_marker["region_id"] == region.region_id]
            if shapes.empty and dots.empty:
                continue
            colour = colours[region.region_id]
            label = plain(getattr(region, name))
            custom = ["iso3", name, "region_name", "role_line"]
            hover = _hover(["<b>%{customdata[1]}</b>", "%{customdata[2]}", "%{customdata[3]}"])
            _add_choropleth(fig, shapes, 1.0, custom, colorscale=[[0, colour], [1, colour]], showscale=False,
                            name=label, legendgroup=region.region_id, showlegend=True, hovertemplate=hover, **no_effect)
            if len(dots):
                fig.add_trace(go.Scattergeo(
                    lat=dots["capital_lat"], lon=dots["capital_lon"], mode="markers", name=label,
                    legendgroup=region.region_id, showlegend=shapes.empty,
                    marker=dict(size=8, color=colour, line=dict(color="#ffffff", width=1),
                                opacity=dots["opacity"].tolist()),
                    customdata=dots[custom].to_numpy(), hovertemplate=hover, **no_effect))
    else:
        values = members["iso3"].map(measure.values).astype(float)
        members["value"] = values
        members["value_text"] = [_format(v, measure.value_format) for v in values]
        scope_note = t("regions.region_total", lang) if measure.scope == "region" else ""
        suffix = f" ({scope_note})" if scope_note else ""
        members["value_line"] = [f"{plain(measure.label)}: {text} {plain(measure.unit)}".rstrip() + suffix
                                 if text else t("regions.no_data", lang) for text in members["value_text"]]
        on_map = members[members["iso3"].isin(available)]
        as_marker = members[members.index.isin(as_marker.index)]
        finite = values.dropna()
        zmax = float(finite.max()) if len(finite) and float(finite.max()) > 0 else 1.0
        scale = [[i / (len(MEASURE_SCALE) - 1), c] for i, c in enumerate(MEASURE_SCALE)]
        custom = ["iso3", name, "region_name", "role_line", "value_line"]
        hover = _hover(["<b>%{customdata[1]}</b>", "%{customdata[2]} · %{customdata[3]}", "%{customdata[4]}"])
        with_data = on_map[on_map["value"].notna()]
        # A horizontal colour bar under the map, left; the legend goes right (see the layout below).
        _add_choropleth(fig, on_map[on_map["value"].notna()], "value", custom, colorscale=scale, zmin=0, zmax=zmax,
                        name=plain(measure.label), showlegend=False, showscale=True,
                        colorbar=dict(title=dict(text=measure.title.replace("<br>", " · "), side="top"),
                                      orientation="h", thickness=10, len=0.34, lenmode="fraction", x=0.005,
                                      xanchor="left", y=-0.01, yanchor="top", tickformat=",~f"),
                        hovertemplate=hover, **no_effect)
        _add_choropleth(fig, on_map[on_map["value"].isna()], 0.0, custom,
                        colorscale=[[0, NO_DATA_COLOUR], [1, NO_DATA_COLOUR]], showscale=False,
                        name=t("regions.no_data", lang), legendgroup="no_data", showlegend=True, hovertemplate=hover,
                        **no_effect)
        known = as_marker["value"].notna()
        for dots, has_data in ((as_marker[known], True), (as_marker[~known], False)):
            if dots.empty:
                continue
            colour = dict(color=dots["value"], colorscale=scale, cmin=0, cmax=zmax) if has_data else \
                dict(color=NO_DATA_COLOUR)
            fig.add_trace(go.Scattergeo(
                lat=dots["capital_lat"], lon=dots["capital_lon"], mode="markers", showlegend=False,
                name=plain(measure.label),
                marker=dict(size=8, line=dict(color="#ffffff", width=1), opacity=dots["opacity"].tolist(),
                                                **colour),
                customdata=dots[custom].to_numpy(), hovertemplate=hover, **no_effect))

    home = origin(countries)
    origin_label = t("map.origin", lang)
    fig.add_trace(go.Choropleth(
        locations=[home.iso3], z=[1], locationmode="ISO-3",
        colorscale=[[0, theme.ORIGIN_COLOUR], [1, theme.ORIGIN_COLOUR]],
        showscale=False, name=origin_label, legendgroup="origin", showlegend=False,
        marker=dict(line=dict(color="#ffffff", width=0.8)),
        customdata=[[home.iso3, plain(home[name])]], hovertemplate=_hover(["<b>%{customdata[1]}</b>", origin_label]),
        **no_effect))

    if show_arcs:
        arcs = belt_arcs(countries, regions)
        for emphasised in (False, True):
            if chosen:
                part = arcs[arcs["iso3"].isin(chosen) == emphasised]
            else:
                part = arcs.iloc[0:0] if emphasised else arcs
            lats: list[float | None] = []
            lons: list[float | None] = []
            for arc in part.itertuples(index=False):
                lats += [*arc.lats, None]
                lons += [*arc.lons, None]
            if not lats:
                continue
            faint = bool(chosen) and not emphasised
            fig.add_trace(go.Scattergeo(
                lat=lats, lon=lons, mode="lines", name=t("map.belts", lang), legendgroup="belts",
                showlegend=not emphasised or not len(arcs[~arcs["iso3"].isin(chosen)]),
                line=dict(width=2.2 if emphasised else 1.1,
                          color="rgba(27,31,36,0.85)" if emphasised else f"rgba(27,31,36,{0.18 if faint else 0.4})"),
                hoverinfo="skip"))

    if hubs is not None and len(hubs):
        shown = hubs[hubs["country_iso3"].isin(set(countries["iso3"]))]
        if len(shown):
            hub_opacity = [1.0 if not chosen or code in chosen else 0.45 for code in shown["country_iso3"]]
            opened = [localise_opened(v, lang) for v in shown["opened"]]
            fig.add_trace(go.Scattergeo(
                lat=shown["lat"], lon=shown["lon"], mode="markers", name=t("map.hubs", lang), legendgroup="hubs",
                marker=dict(size=11, color="#ffffff", symbol="diamond", line=dict(width=2, color=theme.INK),
                            opacity=hub_opacity),
                customdata=np.column_stack([shown["country_iso3"], shown[name].map(plain),
                                            shown[f"city_{lang}"].map(plain), [plain(v) for v in opened]]),
                hovertemplate=_hover(["<b>%{customdata[1]}</b>", "%{customdata[2]}",
                                      t("map.opened", lang) + ": %{customdata[3]}"]),
                **no_effect))

    fig.add_trace(go.Scattergeo(
        lat=[home.capital_lat], lon=[home.capital_lon], mode="markers", name=origin_label, legendgroup="origin",
        showlegend=True, legendrank=1,
        marker=dict(size=11, symbol="star", color=SEOUL_MARKER, line=dict(width=1.2, color=theme.INK)),
        customdata=[[home.iso3, plain(home[name])]], hovertemplate=_hover(["<b>%{customdata[1]}</b>", origin_label]),
        **no_effect))

    if chosen:
        outline = members[members["iso3"].isin(chosen) & members["iso3"].isin(available)]
        if len(outline):
            fig.add_trace(go.Choropleth(
                locations=outline["iso3"], z=[0] * len(outline), locationmode="ISO-3", showscale=False,
                colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
                marker=dict(line=dict(color=theme.INK, width=HIGHLIGHT_WIDTH)), hoverinfo="skip",
                showlegend=False,
                name=t("regions.selected", lang, name=plain(selection_name(selected.id, countries, regions, lang)))))

    fig.update_layout(geo=dict(
        projection_type="natural earth", projection_rotation_lon=CENTRE_LON, resolution=resolution,
        showcountries=True, countrycolor=BORDER_COLOUR, countrywidth=0.5, showland=True, landcolor=LAND_COLOUR,
        showocean=True, oceancolor="#f7f9fb", showlakes=False, showframe=False, showcoastlines=False,
        lataxis_range=list(LAT_RANGE), fitbounds=False, domain=dict(x=[0, 1], y=[0, 1]),
    ))
    if inset if inset is not None else height >= INSET_MIN_HEIGHT:
        _add_korea_inset(fig, countries, regions, lang, resolution)
    fig.update_layout(template=TEMPLATE, height=height, margin=dict(l=0, r=0, t=6, b=0),
                      legend=dict(orientation="h", y=-0.01, x=0.5 if measure is None else 1.0,
                                  xanchor="center" if measure is None else "right", yanchor="top",
                                  itemclick=False, itemdoubleclick=False),
                      hoverlabel=dict(align="left"))
    return fig


def _add_korea_inset(fig: go.Figure, countries: pd.DataFrame, regions: pd.DataFrame, lang: str,
                     resolution: int) -> None:
    """An enlarged Korean Peninsula in the empty South Pacific: Korea as the origin, North Korea for the
    inter-Korean initiative (I6), both too small to see on the world view.

    The inset repeats, on a second geo subplot, the world view's own traces for the origin and the
    countries of the inter-Korean region (same colours, dimming, hover and click data), plus Seoul.
    """
    home = origin(countries)
    inter_korean = set(regions.loc[regions["role"] == "inter_korean", "region_id"])
    shown = {str(home.iso3)} | set(countries.loc[countries["region_id"].isin(inter_korean), "iso3"])
    for trace in list(fig.data):
        if trace.type == "choropleth":
            keep = [i for i, code in enumerate(trace.locations) if code in shown]
            if not keep:
                continue
            copy = go.Choropleth(trace)
            copy.update(geo="geo2", showlegend=False, showscale=False, locations=[trace.locations[i] for i in keep],
                        z=[trace.z[i] for i in keep],
                        customdata=None if trace.customdata is None else [list(trace.customdata[i]) for i in keep])
            fig.add_trace(copy)
        elif trace.type == "scattergeo" and trace.legendgroup == "origin":
            fig.add_trace(go.Scattergeo(trace).update(geo="geo2", showlegend=False))
    x0, x1, y0, y1 = INSET_DOMAIN
    fig.update_layout(geo2=dict(
        domain=dict(x=[x0, x1], y=[y0, y1]), projection_type="mercator", resolution=INSET_RESOLUTION,
        lonaxis_range=list(INSET_LON), lataxis_range=list(INSET_LAT), fitbounds=False,
        showcountries=True, countrycolor=BORDER_COLOUR, showland=True, landcolor=LAND_COLOUR, showocean=True,
        oceancolor="#ffffff", showlakes=False, showcoastlines=False, showframe=True, framecolor=theme.MUTED,
        framewidth=1, bgcolor="#ffffff",
    ))
    fig.add_annotation(text=t("regions.inset_title", lang), x=(x0 + x1) / 2, y=y1, xref="paper", yref="paper",
                       xanchor="center", yanchor="bottom", showarrow=False, font=dict(size=12, color=theme.MUTED))


def figure_json_size(*figures: go.Figure) -> int:
    """Bytes of figure JSON sent to the browser (the geometry itself is fetched separately)."""
    return sum(len(fig.to_json().encode("utf-8")) for fig in figures)


# --- tables beside the map ------------------------------------------------------------------------


def countries_table(countries: pd.DataFrame, regions: pd.DataFrame, measure: Measure | None, lang: str,
                    selection: Selection | None = None) -> pd.DataFrame:
    """One row per country (of the selection): code, names in both languages, region, role, measure."""
    ordered = regions.sort_values("sort_order")
    names = ordered.set_index("region_id")[f"name_{lang}"]
    order = {rid: i for i, rid in enumerate(ordered["region_id"])}
    frame = countries if selection is None else countries[countries["iso3"].isin(selection.iso3)]
    frame = frame.assign(_order=frame["region_id"].map(order)).sort_values(["_order", "iso3"], kind="stable")
    roles = frame["region_id"].map(ordered.set_index("region_id")["role"])
    out = pd.DataFrame({
        "iso3": frame["iso3"].to_numpy(),
        "name_ko": frame["name_ko"].to_numpy(),
        "name_en": frame["name_en"].to_numpy(),
        "region": frame["region_id"].map(names).fillna(frame["region_id"]).to_numpy(),
        "role": [t("regions.role_origin", lang) if is_origin else role_text(str(role), lang)
                 for is_origin, role in zip(_is_origin(frame), roles, strict=True)],
    })
    if measure is not None:
        out[measure.label + (f" ({measure.unit})" if measure.unit else "")] = \
            frame["iso3"].map(measure.values).astype(float).to_numpy()
    return out


def initiatives_for(selection: Selection | None, regions: pd.DataFrame, initiatives: pd.DataFrame,
                    activity: pd.DataFrame) -> pd.DataFrame:
    """Initiatives relevant to the selection: the regions' own initiative and any with activities there.

    Columns: initiative_id, name_ko, name_en, regional (the region's own initiative), activities.
    """
    if selection is not None:
        activity = activity[activity["iso3"].isin(selection.iso3)]
        own = set(regions.loc[regions["region_id"].isin(selection.region_ids), "initiative_id"])
    else:
        own = set(regions["initiative_id"])
    counts = activity.groupby("initiative_id")["activities"].sum()
    frame = initiatives[initiatives["initiative_id"].isin(own | set(counts.index))]
    frame = frame.sort_values("sort_order") if "sort_order" in frame else frame
    return pd.DataFrame({
        "initiative_id": frame["initiative_id"].to_numpy(),
        "name_ko": frame["name_ko"].to_numpy(),
        "name_en": frame["name_en"].to_numpy(),
        "regional": frame["initiative_id"].isin(own).to_numpy(),
        "activities": frame["initiative_id"].map(counts).fillna(0).astype("int64").to_numpy(),
    })


def hubs_in(selection: Selection | None, hubs: pd.DataFrame) -> pd.DataFrame:
    """The hubs located in the selected countries (all hubs when nothing is selected)."""
    return hubs if selection is None else hubs[hubs["country_iso3"].isin(selection.iso3)]


def activities_in(selection: Selection | None, activity: pd.DataFrame) -> pd.DataFrame:
    return activity if selection is None else activity[activity["iso3"].isin(selection.iso3)]


def activities_by_year_initiative(activity: pd.DataFrame) -> pd.DataFrame:
    return activity.groupby(["year", "initiative_id"], as_index=False)["activities"].sum()


def wrap_label(text: str, columns: int = LEGEND_COLUMNS) -> list[str]:
    """`text` cut at spaces into lines of at most `columns` display columns (a Hangul or other wide
    character counts two); a word longer than a line stays whole."""
    lines: list[str] = []
    line, width = "", 0
    for word in text.split():
        size = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in word)
        if line and width + 1 + size > columns:
            lines.append(line)
            line, width = word, size
        else:
            line, width = (f"{line} {word}", width + 1 + size) if line else (word, size)
    return [*lines, line] if line else lines


def activities_by_initiative_chart(by_year_initiative: pd.DataFrame, initiatives: pd.DataFrame, lang: str,
                                   title: str) -> go.Figure:
    """Stacked bars of activities per year, one shade per initiative (for a selected region or country).

    The map above colours regions with every Okabe-Ito hue, so initiatives get shades of one slate hue
    (theme.shades) and cannot be read as regions. The legend below gives each initiative's full name on
    rows of its own: a long name continues on legend rows of empty, swatch-less traces of the same
    legend group (trace names are data, escaped by `figure_text`, so they cannot carry a <br>).
    """
    data = by_year_initiative.merge(initiatives[["initiative_id", f"name_{lang}", "sort_order"]], on="initiative_id")
    data = data.sort_values(["sort_order", "year"])
    shown = list(dict.fromkeys(data["initiative_id"]))
    styles = dict(zip(shown, theme.shades(len(shown)), strict=True))
    fig = go.Figure()
    unit = t("unit.activities", lang)
    rows_in_legend = 0
    for initiative_id, rows in data.groupby("initiative_id", sort=False):
        label = f"{initiative_id} · {rows[f'name_{lang}'].iloc[0]}"
        first, *rest = wrap_label(label)
        colour, pattern = styles[initiative_id]
        fig.add_trace(go.Bar(x=rows["year"], y=rows["activities"], name=first, legendgroup=initiative_id,
                             marker=dict(color=colour, line=dict(color="#ffffff", width=1),
                                         pattern=dict(shape=pattern, fgcolor="#ffffff")),
                             customdata=[label] * len(rows),
                             hovertemplate="%{customdata} %{x}: %{y:,.0f} " + unit + "<extra></extra>"))
        for more in rest:
            # one zero-height point: plotly.js leaves a trace without data out of the legend
            fig.add_trace(go.Bar(x=rows["year"].iloc[:1], y=[0], name=more, legendgroup=initiative_id, hoverinfo="skip",
                                 marker=dict(color="rgba(0,0,0,0)", line=dict(width=0))))
        rows_in_legend += 1 + len(rest)
    fig.update_layout(template=TEMPLATE, barmode="stack", height=360 + LEGEND_ROW_HEIGHT * rows_in_legend,
                      title=dict(text=title), showlegend=True,
                      legend=dict(orientation="h", x=0, xanchor="left", y=-0.1, yanchor="top", traceorder="normal",
                                  entrywidth=1, entrywidthmode="fraction", tracegroupgap=0, font=dict(size=13)))
    fig.update_xaxes(title=None, dtick=1)
    stacked = data.groupby("year")["activities"].sum()
    fig.update_yaxes(title=unit, **({"dtick": 1} if len(stacked) and stacked.max() <= 5 else {}))
    return fig
