"""The briefing deck as data: one `Slide` per agenda step, built from the live (published) tables.

Pure: tables in, slides out (text in the chosen language, Plotly figures styled for a projector).
The Briefing page (`dashboard.ui.presenter`) and the offline pack (`dashboard.pack`) both render
these same objects, so a new upload shows up in both.

Every text is an i18n key in `data/i18n/briefing.csv`, filled with values read from the tables.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from dashboard import figures, maps, metrics, theme
from dashboard.figure_text import escape_figure
from dashboard.i18n import normalise_lang, t

#: Minimum type sizes (CSS px) the slides promise at 1920x1080: titles and body / chart text.
TITLE_PX = 32
BODY_PX = 18
#: Chart titles are a little larger than the chart's other text.
CHART_TITLE_PX = 22

#: The deck, in order. The slide number in the URL is the 1-based position in this tuple.
SLIDE_IDS = ("title", "vision", "pillars", "belts", "package", "targets", "dna", "pyeongchang", "closing")

TableSource = Mapping[str, pd.DataFrame]

#: Longitude and latitude bounds of the package-model map: Belarus to Chukotka, Indonesia to the Arctic coast.
PACKAGE_VIEW = ((20.0, 190.0), (-14.0, 80.0))


@dataclass(frozen=True)
class Card:
    """A short block of text on a slide (a pillar, an attribute, a region, a service ...)."""

    heading: str
    body: str = ""
    kicker: str = ""
    accent: str = theme.OKABE_ITO[0]
    #: Spans the whole row of its grid (e.g. the follow-up on the closing slide).
    wide: bool = False


@dataclass(frozen=True)
class Slide:
    """One slide: a title, one message, up to four or five cards, at most two figures, notes."""

    id: str
    section: str
    title: str
    message: str
    cards: tuple[Card, ...] = ()
    figures: tuple[go.Figure, ...] = ()
    notes: str = ""
    sources: tuple[str, ...] = ()
    illustrative: bool = False
    #: On a slide that mixes sourced definitions with generated numbers, what the sources are for
    #: ("Targets") and what is generated ("Progress"): the source line then says which is which.
    source_label: str = ""
    illustrative_label: str = ""
    #: A line above the sources that explains the slide's data (e.g. a year with no record).
    footnote: str = ""
    #: In the "side" layout: the figure column's width relative to the cards column.
    side_ratio: float = 2.2
    #: How the body is laid out: "title" (the opening slide: large title, cards), "cards" (cards only),
    #: "figure" (figures only), "side" (cards stacked beside the figure) or "stack" (a row of cards
    #: above the figure).
    layout: str = "cards"
    #: Cards per row in the "cards" and "stack" layouts.
    card_columns: int = 4


def slide_count() -> int:
    return len(SLIDE_IDS)


def clamp_number(number: int) -> int:
    """A 1-based slide number kept inside the deck."""
    return max(1, min(len(SLIDE_IDS), int(number)))


# --------------------------------------------------------------------------- helpers


def _sources(*columns: Iterable[object]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for column in columns:
        for value in column:
            if isinstance(value, str) and value.strip():
                for part in value.split(";"):
                    if part.strip():
                        seen.setdefault(part.strip(), None)
    return tuple(seen)


def _fact(tables: TableSource, fact_id: str, lang: str, column: str = "value") -> str:
    facts = tables["briefing_facts"]
    rows = facts.loc[facts["fact_id"] == fact_id, f"{column}_{lang}"]
    return str(rows.iloc[0]) if len(rows) and pd.notna(rows.iloc[0]) else ""


def _section(tables: TableSource, item_no: int, lang: str) -> str:
    agenda = tables["agenda"]
    rows = agenda.loc[agenda["item_no"] == item_no, f"title_{lang}"]
    return f"{item_no} · {rows.iloc[0]}" if len(rows) else ""


def _join(names: Iterable[str], lang: str) -> str:
    return t("briefing.list_separator", lang).join(str(n) for n in names)


def _number(value: float) -> str:
    """Whole numbers from 100 up or when whole; one decimal below 100 otherwise."""
    value = float(value)
    return f"{value:,.0f}" if abs(value) >= 100 or value.is_integer() else f"{value:,.1f}"


def _mentions_number(text: str, number: int) -> bool:
    """Whether `text` already states `number` (as a whole number, not part of a longer one)."""
    return re.search(rf"(?<![\d.,]){number}(?![\d.,]*\d)", text) is not None


def _with_illustrative_note(notes: str, illustrative: bool, lang: str) -> str:
    return f"{notes} {t('briefing.illustrative_note', lang)}" if illustrative else notes


def presentation_style(fig: go.Figure, *, height: int | None = None, escape: bool = True,
                       legend_on_top: bool = True) -> go.Figure:
    """Projector type sizes on every piece of chart text (ticks, legend, labels, annotations).

    `escape` passes the figure through `figure_text.escape_figure` first (data strings as text, not
    Plotly pseudo-HTML), as `ui.components.chart` does for the analytical pages; the maps escape
    their own strings (`maps.plain`) and are styled with `escape=False`. `legend_on_top` puts a
    horizontal legend above the plot area, right-aligned (below it, its distance would grow with the
    chart's height on a tall screen).
    """
    if escape:
        fig = escape_figure(fig)
    if legend_on_top and fig.layout.legend.orientation == "h":
        fig.update_layout(legend=dict(yanchor="bottom", y=1.01, xanchor="right", x=1.0))
    fig.update_layout(
        font=dict(size=BODY_PX, family=theme.FONT_FAMILY, color=theme.INK),
        title_font_size=CHART_TITLE_PX,
        legend_font_size=BODY_PX,
        hoverlabel_font_size=BODY_PX,
        uniformtext=dict(minsize=BODY_PX, mode="hide"),
        paper_bgcolor="#ffffff",
    )
    if height is not None:
        fig.update_layout(height=height)
    fig.update_xaxes(tickfont_size=BODY_PX, title_font_size=BODY_PX)
    fig.update_yaxes(tickfont_size=BODY_PX, title_font_size=BODY_PX)
    fig.update_annotations(font_size=BODY_PX)
    for trace in fig.data:
        if "textfont" in trace:
            trace.textfont.size = BODY_PX
        if "colorbar" in trace:
            trace.colorbar.tickfont.size = BODY_PX
            trace.colorbar.title.font.size = BODY_PX
    return fig


# --------------------------------------------------------------------------- the slides


def _title(tables: TableSource, lang: str) -> Slide:
    agenda = tables["agenda"].sort_values("item_no")
    cards = tuple(Card(heading=str(row[f"title_{lang}"]), kicker=str(row["item_no"]),
                       accent=theme.OKABE_ITO[i % len(theme.OKABE_ITO)])
                  for i, (_, row) in enumerate(agenda.iterrows()))
    return Slide(
        id="title", section=_fact(tables, "host", lang), layout="title", card_columns=max(1, len(cards)),
        title=_fact(tables, "name", lang) or t("briefing.title.fallback", lang),
        message=t("briefing.title.message", lang, dates=_fact(tables, "dates", lang), venue=_fact(tables, "venue", lang)),
        cards=cards,
        notes=t("briefing.title.notes", lang, speaker=_fact(tables, "speaker", lang),
                audience=_fact(tables, "audience", lang), items=len(agenda)),
        sources=_sources(tables["briefing_facts"]["source"].head(6)),
    )


def _vision(tables: TableSource, lang: str) -> Slide:
    attributes = tables["attributes"].sort_values("sort_order")
    names = list(attributes[f"name_{lang}"])
    cards = tuple(Card(heading=str(row[f"name_{lang}"]), body=str(row[f"description_{lang}"]),
                       kicker=f"{i + 1}", accent=theme.OKABE_ITO[i % len(theme.OKABE_ITO)])
                  for i, (_, row) in enumerate(attributes.iterrows()))
    return Slide(
        id="vision", section=_section(tables, 1, lang), title=t("briefing.vision.title", lang),
        # Four attributes as a 2x2 grid: four tall columns would leave most of each card empty.
        layout="cards", card_columns=2 if len(cards) == 4 else min(4, max(1, len(cards))),
        message=t("briefing.vision.message", lang, n=len(names), attributes=" + ".join(names)),
        cards=cards, notes=t("briefing.vision.notes", lang, n=len(names)),
        sources=("MSIT briefing 2017-12-07",),
    )


def _pillars(tables: TableSource, lang: str) -> Slide:
    pillars = tables["pillars"].sort_values("sort_order")
    initiatives = tables["initiatives"].sort_values("sort_order")
    colours = theme.pillar_colours(pillars["pillar_id"])  # as on the Pillars page (treemap, Sankey)
    cards = []
    for _, pillar in pillars.iterrows():
        own = initiatives.loc[initiatives["pillar_id"] == pillar["pillar_id"], f"name_{lang}"]
        cards.append(Card(heading=str(pillar[f"name_{lang}"]), body=_join(own, lang), kicker=str(pillar["pillar_id"]),
                          accent=colours[pillar["pillar_id"]]))
    return Slide(
        id="pillars", section=_section(tables, 1, lang), title=t("briefing.pillars.title", lang, n=len(pillars)),
        layout="cards", card_columns=2,
        message=t("briefing.pillars.message", lang, pillars=len(pillars), initiatives=len(initiatives)),
        cards=tuple(cards), notes=t("briefing.pillars.notes", lang),
        sources=_sources(pillars["source"]),
    )


def _role_map(tables: TableSource, lang: str, role: str, *, resolution: int) -> tuple[go.Figure, pd.DataFrame,
                                                                                          pd.DataFrame, pd.DataFrame]:
    """The map of the regions with `role` (plus Korea), their hubs, and the rows behind it."""
    regions = tables["regions"]
    chosen = regions[regions["role"] == role]
    countries = tables["countries"]
    origin = countries["is_origin"].astype(bool)
    members = countries[origin | countries["region_id"].isin(chosen["region_id"])]
    hubs = tables["hubs"]
    hubs = hubs[hubs["country_iso3"].isin(members.loc[~members["is_origin"].astype(bool), "iso3"])]
    belt = role == "belt"
    fig = maps.region_map(members, chosen, hubs, lang, height=520, show_arcs=belt, resolution=resolution,
                          inset=belt)
    if not belt:
        # The package regions all lie in Asia: show Asia (the world view left them small, and its
        # Korean inset stuck out below the frame). Fixed bounds, not fitbounds: Russia crosses
        # the antimeridian, which makes plotly fit the whole world.
        lon, lat = PACKAGE_VIEW
        fig.update_geos(fitbounds=False, projection_rotation_lon=(lon[0] + lon[1]) / 2, lonaxis_range=list(lon),
                        lataxis_range=list(lat))
    return presentation_style(fig, escape=False, legend_on_top=False), chosen, members, hubs


def _initiative_detail(tables: TableSource, regions: pd.DataFrame, lang: str) -> str:
    initiatives = tables["initiatives"]
    ids = list(dict.fromkeys(regions["initiative_id"].dropna()))
    rows = initiatives[initiatives["initiative_id"].isin(ids)]
    return str(rows[f"detail_{lang}"].iloc[0]) if len(rows) else ""


def _belts(tables: TableSource, lang: str, resolution: int) -> Slide:
    fig, chosen, members, hubs = _role_map(tables, lang, "belt", resolution=resolution)
    partners = members[~members["is_origin"].astype(bool)]
    message = _initiative_detail(tables, chosen, lang) or t("briefing.belts.title", lang)
    return Slide(
        id="belts", section=_section(tables, 1, lang), title=t("briefing.belts.title", lang), message=message,
        layout="figure",
        figures=(fig,),
        notes=t("briefing.belts.notes", lang, regions=_join(chosen.sort_values("sort_order")[f"name_{lang}"], lang),
                countries=len(partners), hubs=len(hubs)),
        sources=_sources(hubs["source"]),
    )


def _package(tables: TableSource, lang: str, resolution: int) -> Slide:
    fig, chosen, members, hubs = _role_map(tables, lang, "package", resolution=resolution)
    colours = theme.region_colours(list(tables["regions"].sort_values("sort_order")["region_id"]))
    cards = []
    for _, region in chosen.sort_values("sort_order").iterrows():
        count = int((members["region_id"] == region["region_id"]).sum())
        grouping = str(region[f"grouping_{lang}"])
        # "ASEAN 10 ..." already says how many: do not add "· 10 countries" again.
        body = grouping if _mentions_number(grouping, count) else \
            t("briefing.package.card", lang, grouping=grouping, n=count)
        cards.append(Card(heading=str(region[f"name_{lang}"]), body=body,
                          accent=colours.get(region["region_id"], theme.MUTED)))
    message = _initiative_detail(tables, chosen, lang) or t("briefing.package.title", lang)
    return Slide(
        id="package", section=_section(tables, 1, lang), title=t("briefing.package.title", lang), message=message,
        layout="side",
        cards=tuple(cards), figures=(fig,), notes=t("briefing.package.notes", lang),
        sources=_sources(hubs["source"]),
    )


def _targets(tables: TableSource, lang: str) -> Slide:
    targets = tables["targets"].sort_values("sort_order")
    progress = tables["progress"]
    summary = metrics.target_summary(targets, progress)
    merged = summary.merge(targets, on="target_id")
    cards = []
    for _, row in merged.iterrows():
        unit = t(f"unit.{row['unit']}", lang)
        status = t(f"status.{row['status']}", lang)
        if pd.isna(row["goal"]):
            body = t("briefing.targets.card_no_goal", lang, achieved=_number(row["achieved"]), unit=unit)
        else:
            body = t("briefing.targets.card", lang, achieved=_number(row["achieved"]), goal=_number(row["goal"]),
                     unit=unit, status=status, year=int(row["horizon_year"]))
        cards.append(Card(heading=str(row[f"name_{lang}"]), body=body, kicker=str(row["target_id"]),
                          accent=theme.STATUS_COLOURS.get(row["status"], theme.MUTED)))
    with_goal = summary[summary["goal"].notna()]
    on_track = int((with_goal["status"] == metrics.ON_TRACK).sum())
    figs: tuple[go.Figure, ...] = ()
    if len(with_goal):
        fig = figures.target_bullets(summary, targets, lang)
        # Few bars on a tall slide: keep them bar-like rather than blocks filling the screen.
        fig.update_layout(height=90 + 80 * len(with_goal), bargap=0.55 if len(with_goal) <= 3 else 0.3)
        figs = (presentation_style(fig),)
    illustrative = bool(progress["illustrative"].astype(bool).any()) if len(progress) else False
    return Slide(
        id="targets", section=_section(tables, 1, lang), title=t("briefing.targets.title", lang),
        layout="side" if figs else "cards", card_columns=1 if figs else max(1, len(cards)),
        message=t("briefing.targets.message", lang, on_track=on_track, total=len(with_goal)),
        cards=tuple(cards), figures=figs, illustrative=illustrative, side_ratio=1.3,
        source_label=t("briefing.targets.source_what", lang),
        illustrative_label=t("briefing.targets.illustrative_what", lang),
        notes=_with_illustrative_note(
            t("briefing.targets.notes", lang, year=int(targets["horizon_year"].max()) if len(targets) else ""),
            illustrative, lang),
        sources=_sources(targets["source"]),
    )


def _dna(tables: TableSource, lang: str) -> Slide:
    capabilities = tables["capabilities"].sort_values("sort_order")
    fields = tables["fields"].sort_values("sort_order")
    activities = tables["activities"]
    matrix = metrics.capability_field_matrix(activities, capabilities, fields)
    field_names = fields.set_index("field_id")[f"name_{lang}"]
    cards = []
    for i, (_, row) in enumerate(capabilities.iterrows()):
        counts = matrix.loc[row["capability_id"]] if row["capability_id"] in matrix.index else pd.Series(dtype="int64")
        body = ""
        if len(counts) and int(counts.sum()) > 0:
            body = t("briefing.dna.card", lang, total=_number(counts.sum()),
                     field=field_names.get(counts.idxmax(), counts.idxmax()), most=_number(counts.max()))
        cards.append(Card(heading=str(row[f"name_{lang}"]), body=body, kicker=str(row["letter"]),
                          accent=theme.OKABE_ITO[i % len(theme.OKABE_ITO)]))
    fig = presentation_style(figures.capability_heatmap(matrix, capabilities, fields, lang))
    illustrative = bool(activities["illustrative"].astype(bool).any()) if len(activities) else False
    return Slide(
        id="dna", section=_section(tables, 2, lang), title=t("briefing.dna.title", lang), layout="side",
        message=t("briefing.dna.message", lang, letters="·".join(capabilities["letter"]),
                  capabilities=_join(capabilities[f"name_{lang}"], lang), fields=_join(fields[f"name_{lang}"], lang)),
        cards=tuple(cards), figures=(fig,), illustrative=illustrative,
        source_label=t("briefing.dna.source_what", lang), illustrative_label=t("briefing.dna.illustrative_what", lang),
        notes=_with_illustrative_note(t("briefing.dna.notes", lang), illustrative, lang),
        sources=("MSIT briefing 2017-12-07",),
    )


def _pyeongchang(tables: TableSource, lang: str) -> Slide:
    services = tables["services"].sort_values("sort_order")
    cards = tuple(Card(heading=str(row[f"brand_{lang}"]), body=str(row[f"description_{lang}"]), kicker=str(row[f"name_{lang}"]),
                       accent=theme.OKABE_ITO[i % len(theme.OKABE_ITO)])
                  for i, (_, row) in enumerate(services.iterrows()))
    milestones = tables["milestones"]
    figs: tuple[go.Figure, ...] = ()
    if len(milestones):
        fig = figures.milestones_timeline(milestones, lang)
        fig.update_layout(height=100 + 60 * len(milestones))
        if lang == "ko":  # plotly.js has no Korean month names: numeric dates instead
            fig.update_xaxes(tickformat="%Y-%m-%d")
        figs = (presentation_style(fig),)
    games = milestones[milestones["milestone_id"] == "games"]
    dates = ""
    if len(games):
        start, end = games["start"].iloc[0], games["end"].iloc[0]
        dates = f"{start:%Y-%m-%d}" + (f" – {end:%Y-%m-%d}" if pd.notna(end) else "")
    return Slide(
        id="pyeongchang", section=_section(tables, 3, lang), title=t("briefing.pyeongchang.title", lang),
        layout="stack" if figs else "cards", card_columns=max(1, len(cards)),
        message=t("briefing.pyeongchang.message", lang, n=len(services), dates=dates,
                  services=_join(services[f"name_{lang}"], lang)),
        cards=cards, figures=figs, notes=t("briefing.pyeongchang.notes", lang),
        sources=_sources(services["source"], milestones["source"]),
    )


def _edition_card(row: pd.Series, lang: str, accent: str) -> Card:
    """One past briefing as a few numbers: attendees as the heading, place and countries below."""
    place = row.get(f"place_{lang}")
    parts = [str(place)] if isinstance(place, str) and place.strip() else []
    countries = row.get("countries")
    parts.append(t("briefing.closing.countries", lang, n=_number(countries)) if pd.notna(countries)
                 else t("briefing.closing.countries_unknown", lang))
    attendees = row.get("attendees")
    heading = t("briefing.closing.attendees", lang, n=_number(attendees)) if pd.notna(attendees) \
        else t("briefing.closing.attendees_unknown", lang)
    return Card(heading=heading, body=" · ".join(parts), kicker=f"{row['event_date']:%Y-%m-%d}", accent=accent)


def _missing_years(dates: pd.Series) -> list[int]:
    """Years between the first and the last edition with no row (the series is annual)."""
    years = sorted({int(year) for year in dates.dropna().dt.year})
    return [year for year in range(years[0], years[-1] + 1) if year not in years] if years else []


def _closing(tables: TableSource, lang: str) -> Slide:
    """Thank you, the follow-up, and the briefing series as a few numbers (not a chart: one
    edition lacks a country count and a year has no row, which a two-measure chart hid)."""
    series = tables["briefing_series"].sort_values("event_date")
    cards = []
    follow_up = _fact(tables, "oda", lang)
    if follow_up:
        cards.append(Card(heading=follow_up, kicker=_fact(tables, "oda", lang, column="label"),
                          accent=theme.OKABE_ITO[0], wide=True))
    recent = series.tail(4)
    # one colour for all editions: colours elsewhere stand for regions and pillars, which these are not
    cards.extend(_edition_card(row, lang, theme.MUTED) for _, row in recent.iterrows())
    footnote = ""
    if len(series):
        missing = _missing_years(recent["event_date"])
        footnote = t("briefing.closing.series_note", lang, n=len(recent))
        if missing:
            footnote += " " + t("briefing.closing.missing_years", lang, years=_join(map(str, missing), lang))
    return Slide(
        id="closing", section=_fact(tables, "host", lang), title=t("briefing.closing.title", lang),
        layout="cards", card_columns=max(1, min(4, len(recent))) if len(recent) else 1,
        message=t("briefing.closing.message", lang),
        cards=tuple(cards), footnote=footnote,
        notes=t("briefing.closing.notes", lang, briefings=len(recent)),
        sources=_sources(series["source"], tables["briefing_facts"].loc[
            tables["briefing_facts"]["fact_id"] == "oda", "source"]),
    )


_BUILDERS: dict[str, Callable[..., Slide]] = {
    "title": _title, "vision": _vision, "pillars": _pillars, "belts": _belts, "package": _package,
    "targets": _targets, "dna": _dna, "pyeongchang": _pyeongchang, "closing": _closing,
}
_MAPS = {"belts", "package"}


def build_slide(tables: TableSource, number: int, lang: str, *, map_resolution: int = 50) -> Slide:
    """Slide `number` (1-based, clamped into the deck) in `lang`."""
    slide_id = SLIDE_IDS[clamp_number(number) - 1]
    lang = normalise_lang(lang)
    builder = _BUILDERS[slide_id]
    if slide_id in _MAPS:
        return builder(tables, lang, map_resolution)
    return builder(tables, lang)


def build_deck(tables: TableSource, lang: str, *, map_resolution: int = 50) -> list[Slide]:
    """Every slide of the briefing, in order."""
    return [build_slide(tables, number, lang, map_resolution=map_resolution)
            for number in range(1, len(SLIDE_IDS) + 1)]


def slide_titles(tables: TableSource, lang: str) -> list[str]:
    """The titles only (cheap: no figures), e.g. for a "next slide" hint."""
    lang = normalise_lang(lang)
    titles = []
    for slide_id in SLIDE_IDS:
        if slide_id == "title":
            titles.append(_fact(tables, "name", lang) or t("briefing.title.fallback", lang))
        elif slide_id == "pillars":
            titles.append(t("briefing.pillars.title", lang, n=len(tables["pillars"])))
        else:
            titles.append(t(f"briefing.{slide_id}.title", lang))
    return titles
