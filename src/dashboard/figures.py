"""Plotly figure builders: pre-aggregated DataFrames in, figures out, every label translated."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from dashboard import metrics, theme
from dashboard.i18n import t

TEMPLATE = theme.register_template()
#: A line never carries more points than this; longer series are thinned for drawing (the data
#: table beside the chart keeps every row). A chart is a few hundred pixels wide.
MAX_LINE_POINTS = 600
#: Up to this many years on an axis, every year gets its tick label; beyond, Plotly chooses. (A label
#: per year over centuries of generated data costs the browser seconds of tick layout.)
MAX_YEAR_TICKS = 30
#: The treemap's root box ("Strategy"), neutral so that it reads as none of the pillars.
ROOT_COLOUR = "#eef1f4"


def _layout(fig: go.Figure, title: str | None = None, height: int = 380) -> go.Figure:
    fig.update_layout(template=TEMPLATE, height=height, title=dict(text=title) if title else None)
    return fig


#: Korean tick labels of a date axis by tick spacing (plotly.js would write English month names).
KO_DATE_TICKS = (
    dict(dtickrange=[None, 86_400_000], value="%m.%d %H:%M"),
    dict(dtickrange=[86_400_000, 14 * 86_400_000], value="%Y.%m.%d"),
    dict(dtickrange=["M1", "M6"], value="%Y년 %-m월"),
    dict(dtickrange=["M12", None], value="%Y년"),
)


def date_axis(lang: str) -> dict:
    """Settings of a date axis in `lang`: numeric Korean dates (no "Nov 26 2017" on a Korean page);
    English keeps plotly's own labels."""
    return {"tickformatstops": [dict(stop) for stop in KO_DATE_TICKS]} if lang == "ko" else {}


def year_axis(lang: str) -> dict:
    """A date axis labelled by year, each label centred on its year: a point at the end of 2022
    then sits under "2022", not at a tick labelled "2023"."""
    return {"dtick": "M12", "tickformat": "%Y년" if lang == "ko" else "%Y", "ticklabelmode": "period"}


#: Units whose values are counts: shown as whole numbers ("19 건", not "19.0 건"); money keeps decimals.
COUNT_UNITS = frozenset({"cases", "persons", "activities", "countries"})


def value_format(unit: str) -> str:
    """The d3/Python number format of a value in `unit` (hover labels, annotations)."""
    return ",.0f" if unit in COUNT_UNITS else ",.1f"


def _unit(unit: str, lang: str) -> str:
    return t(f"unit.{unit}", lang)


def target_bullets(summary: pd.DataFrame, targets: pd.DataFrame, lang: str) -> go.Figure:
    """Achieved vs goal for each target with a goal, as horizontal bars (share of goal in %)."""
    frame = summary.merge(targets[["target_id", f"name_{lang}", "unit"]], on="target_id")
    frame = frame[frame["goal"].notna()]
    pct = (frame["achieved"] / frame["goal"] * 100).round(1)
    fig = go.Figure(go.Bar(
        x=pct, y=frame["target_id"], orientation="h",
        marker_color=[theme.STATUS_COLOURS[s] for s in frame["status"]],
        text=[f"{p:.0f}%" for p in pct], textposition="auto",
        customdata=list(zip(frame[f"name_{lang}"],
                            [format(v, value_format(u)) for v, u in zip(frame["achieved"], frame["unit"], strict=True)],
                            [format(v, value_format(u)) for v, u in zip(frame["goal"], frame["unit"], strict=True)],
                            [_unit(u, lang) for u in frame["unit"]], strict=True)),
        hovertemplate="%{customdata[0]}<br>" + t("chart.achieved", lang)
        + ": %{customdata[1]} / %{customdata[2]} %{customdata[3]}<extra></extra>",
    ))
    fig.add_vline(x=100, line_dash="dot", line_color=theme.MUTED)
    fig.update_xaxes(title=t("chart.share_of_goal", lang), ticksuffix="%", range=[0, max(110.0, float(pct.max() or 0) + 10)])
    fig.update_yaxes(title=None, autorange="reversed")
    return _layout(fig, t("chart.targets_title", lang), height=90 + 60 * len(frame))


def year_ticks(years: pd.Series) -> dict:
    """Axis settings for a year axis: one tick per year unless the span is long."""
    known = pd.Series(years).dropna()
    span = int(known.max()) - int(known.min()) if len(known) else 0
    return {"dtick": 1} if span <= MAX_YEAR_TICKS else {}


def thin(frame: pd.DataFrame, max_points: int = MAX_LINE_POINTS) -> pd.DataFrame:
    """At most `max_points` evenly spaced rows of `frame`, always keeping the first and the last."""
    if len(frame) <= max_points:
        return frame
    positions = np.unique(np.linspace(0, len(frame) - 1, max_points).round().astype(int))
    return frame.iloc[positions]


def progress_line(cumulative: pd.DataFrame, target: pd.Series, projected: float | None, lang: str,
                  *, partial: bool = False) -> go.Figure:
    """Cumulative progress of one target against the straight trajectory to its goal, with projection.

    `partial`: the series is a filtered part (a region, some years); the goal and the path to it
    are national, so they are not drawn against it.
    A cumulative series longer than MAX_LINE_POINTS periods is drawn through evenly spaced points
    (the last one included), so that the figure stays small whatever the size of the data.
    """
    unit = _unit(target["unit"], lang)
    number = "%{y:" + value_format(target["unit"]) + "} "
    fig = go.Figure()
    drawn = thin(cumulative)
    fig.add_trace(go.Scatter(
        x=drawn["period_end"], y=drawn["cumulative"], mode="lines+markers" if len(drawn) <= 60 else "lines",
        name=t("chart.cumulative", lang), line=dict(color=theme.OKABE_ITO[0], width=3),
        hovertemplate="%{x|%Y-%m-%d}<br>" + number + unit + "<extra></extra>",
    ))
    goal = target["goal_value"]
    horizon = int(target["horizon_year"])
    if pd.notna(goal) and not partial:
        path = metrics.trajectory(int(target["baseline_year"]), horizon, float(goal))
        fig.add_trace(go.Scatter(x=path["period_end"], y=path["value"], mode="lines",
                                 name=t("chart.trajectory", lang),
                                 line=dict(color=theme.MUTED, dash="dash", width=2),
                                 hovertemplate="%{x|%Y-%m-%d}<br>" + number + unit + "<extra></extra>"))
        fig.add_hline(y=float(goal), line_dash="dot", line_color=theme.STATUS_COLOURS["at_risk"],
                      annotation_text=t("chart.goal", lang) + f" {float(goal):,.0f} {unit}",
                      annotation_position="top left")
    if projected is not None and len(cumulative):
        last = cumulative.iloc[-1]
        fig.add_trace(go.Scatter(
            x=[last["period_end"], pd.Timestamp(f"{horizon}-12-31")], y=[last["cumulative"], projected],
            mode="lines+markers", name=t("chart.projection", lang),
            line=dict(color=theme.OKABE_ITO[1], dash="dot", width=3),
            hovertemplate="%{x|%Y-%m-%d}<br>" + number + unit + "<extra></extra>"))
    fig.update_yaxes(title=unit, rangemode="tozero")
    fig.update_xaxes(title=None, **year_axis(lang))
    fig.update_layout(legend=dict(orientation="h", y=-0.15))
    return _layout(fig, target[f"name_{lang}"], height=420)


BAR_SLOTS = 6


def progress_by_region_bar(frame: pd.DataFrame, regions: pd.DataFrame, unit: str, lang: str) -> go.Figure:
    data = frame.merge(regions[["region_id", f"name_{lang}"]], on="region_id", how="left")
    colours = theme.region_colours(list(regions["region_id"]))
    fig = go.Figure(go.Bar(
        x=data["value"], y=data[f"name_{lang}"], orientation="h",
        marker_color=[colours.get(r, theme.MUTED) for r in data["region_id"]],
        hovertemplate="%{y}: %{x:" + value_format(unit) + "} " + _unit(unit, lang) + "<extra></extra>",
    ))
    fig.update_xaxes(title=_unit(unit, lang))
    # room for at least BAR_SLOTS bars, top down: one region (a filtered view) is a bar, not a block
    slots = max(len(data), BAR_SLOTS)
    fig.update_yaxes(title=None, autorange=False, range=[slots - 0.5, -0.5])
    return _layout(fig, t("chart.by_region", lang), height=360)


def _rgba(hex_colour: str, alpha: float) -> str:
    red, green, blue = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def strategy_treemap(tree: pd.DataFrame, lang: str) -> go.Figure:
    """Pillar -> initiative -> theme as nested boxes (long Korean names wrap better than in a sunburst)."""
    fig = px.treemap(tree, path=[px.Constant(t("chart.strategy", lang)), "pillar", "initiative", "theme"],
                     values="count", color="pillar_id", color_discrete_map=theme.pillar_colours(tree["pillar_id"]))
    root = t("chart.strategy", lang)  # spans every pillar: neutral, whatever colour plotly express gave it
    if fig.data and fig.data[0].marker.colors is not None:
        fig.update_traces(marker_colors=[ROOT_COLOUR if node == root else colour for node, colour
                                         in zip(fig.data[0].ids, fig.data[0].marker.colors, strict=True)])
    fig.update_traces(hovertemplate="%{label}<extra></extra>", texttemplate="%{label}", maxdepth=3,
                      root_color=ROOT_COLOUR, marker=dict(line=dict(color="#ffffff", width=2)))
    return _layout(fig, t("chart.sunburst_title", lang), height=520)


#: Characters of a Sankey node label before it is cut (Korean glyphs are about twice as wide).
SANKEY_LABEL_CHARS = {"ko": 24, "en": 40}


def strategy_sankey(links: pd.DataFrame, lang: str) -> go.Figure:
    labels = list(dict.fromkeys([*links["source"], *links["target"]]))
    index = {label: i for i, label in enumerate(labels)}
    colours = theme.pillar_colours(links["pillar_id"])
    node_colour = {}
    for row in links.itertuples(index=False):
        node_colour.setdefault(row.source, colours[row.pillar_id])
        node_colour.setdefault(row.target, _rgba(colours[row.pillar_id], 0.55))
    # a long pillar name would run into its initiatives' labels: cut on the chart, whole in the hover
    limit = SANKEY_LABEL_CHARS.get(lang, SANKEY_LABEL_CHARS["en"])
    shown = [label if len(label) <= limit else label[:limit - 1].rstrip() + "…" for label in labels]
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node=dict(label=shown, customdata=labels, pad=18, thickness=14,
                  color=[node_colour[label] for label in labels], line=dict(width=0),
                  hovertemplate="%{customdata}<extra></extra>"),
        link=dict(source=[index[s] for s in links["source"]], target=[index[x] for x in links["target"]],
                  value=links["value"], color=[_rgba(colours[p], 0.28) for p in links["pillar_id"]],
                  customdata=[f"{a} → {b}" for a, b in zip(links["source"], links["target"], strict=True)],
                  hovertemplate="%{customdata}<extra></extra>"),
        textfont=dict(size=14, color=theme.INK),
    ))
    return _layout(fig, t("chart.sankey_title", lang), height=640)


def activities_stacked(by_year_region: pd.DataFrame, regions: pd.DataFrame, lang: str) -> go.Figure:
    data = by_year_region.merge(regions[["region_id", f"name_{lang}", "sort_order"]], on="region_id")
    data = data.sort_values(["sort_order", "year"])
    colours = theme.region_colours(list(regions["region_id"]))
    fig = go.Figure()
    for region_id, rows in data.groupby("region_id", sort=False):
        name = rows[f"name_{lang}"].iloc[0]
        fig.add_trace(go.Bar(x=rows["year"], y=rows["activities"], name=name, marker_color=colours[region_id],
                             hovertemplate=name + " %{x}: %{y:,.0f} " + t("unit.activities", lang) + "<extra></extra>"))
    fig.update_layout(barmode="stack", legend=dict(orientation="h", y=-0.2))
    fig.update_xaxes(title=None, **year_ticks(data["year"]))
    fig.update_yaxes(title=t("unit.activities", lang))
    return _layout(fig, t("chart.activities_title", lang), height=420)


def capability_heatmap(matrix: pd.DataFrame, capabilities: pd.DataFrame, fields: pd.DataFrame,
                       lang: str) -> go.Figure:
    """Activities per capability × field; the colour scale starts at zero so shade is proportional to count."""
    cap_names = capabilities.set_index("capability_id")
    field_names = fields.set_index("field_id")[f"name_{lang}"]
    y = [f"{cap_names.at[c, 'letter']} · {cap_names.at[c, f'name_{lang}']}" for c in matrix.index]
    x = [field_names[f] for f in matrix.columns]
    # plotly.js ignores zmin unless zmax is set too
    zmax = max(float(np.nanmax(matrix.to_numpy())), 1.0) if matrix.size else 1.0
    fig = go.Figure(go.Heatmap(
        z=matrix.to_numpy(), x=x, y=y, colorscale=list(theme.SEQUENTIAL), zmin=0, zmax=zmax, text=matrix.to_numpy(),
        texttemplate="%{text:,.0f}", hovertemplate="%{y} × %{x}: %{z:,.0f} " + t("unit.activities", lang) + "<extra></extra>",
        colorbar=dict(title=dict(text=t("unit.activities", lang))),
    ))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, t("chart.heatmap_title", lang), height=360)


def capability_trend(by_year: pd.DataFrame, capabilities: pd.DataFrame, lang: str) -> go.Figure:
    fig = go.Figure()
    for colour, cap in zip(theme.OKABE_ITO, capabilities.sort_values("sort_order").itertuples(index=False)):
        rows = by_year[by_year["capability_id"] == cap.capability_id]
        name = f"{cap.letter} · {getattr(cap, f'name_{lang}')}"
        fig.add_trace(go.Scatter(x=rows["year"], y=rows["activities"], name=name, mode="lines+markers",
                                 line=dict(color=colour, width=3),
                                 hovertemplate=name + " %{x}: %{y:,.0f} " + t("unit.activities", lang) + "<extra></extra>"))
    fig.update_xaxes(title=None, **year_ticks(by_year["year"]))
    fig.update_yaxes(title=t("unit.activities", lang), rangemode="tozero")
    fig.update_layout(legend=dict(orientation="h", y=-0.2))
    return _layout(fig, t("chart.capability_trend_title", lang), height=360)


def ict_trade_chart(trade: pd.DataFrame, lang: str) -> go.Figure:
    """Exports and imports as bars, the balance as a line that breaks where a year has no figure
    (a line drawn straight across a missing year would invent its value)."""
    trade = trade.dropna(subset=["year"]).sort_values("year")
    if len(trade):
        years = range(int(trade["year"].min()), int(trade["year"].max()) + 1)
        trade = trade.set_index(trade["year"].astype(int)).drop(columns="year").reindex(years) \
            .rename_axis("year").reset_index()
    fig = go.Figure()
    for column, colour in (("exports_usd_bn", theme.OKABE_ITO[0]), ("imports_usd_bn", theme.OKABE_ITO[1])):
        fig.add_trace(go.Bar(x=trade["year"], y=trade[column], name=t(f"chart.{column}", lang), marker_color=colour,
                             hovertemplate="%{x}: %{y:,.2f} " + t("unit.usd_bn", lang) + "<extra></extra>"))
    fig.add_trace(go.Scatter(x=trade["year"], y=trade["surplus_usd_bn"], name=t("chart.surplus_usd_bn", lang),
                             mode="lines+markers", line=dict(color=theme.OKABE_ITO[2], width=3), connectgaps=False,
                             hovertemplate="%{x}: %{y:,.2f} " + t("unit.usd_bn", lang) + "<extra></extra>"))
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=-0.15))
    fig.update_xaxes(title=None, **year_ticks(trade["year"]))
    fig.update_yaxes(title=t("unit.usd_bn", lang))
    return _layout(fig, t("chart.ict_trade_title", lang), height=400)


def destination_styles(destination_ids: list[str], countries: pd.DataFrame,
                       regions: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """(colour, fill pattern) per destination: its region's colour, as on the map and every other chart;
    a destination outside the countries table (Hong Kong, "world") is neutral grey. Destinations that
    share a colour get different fill patterns."""
    region_of = countries.drop_duplicates("iso3").set_index("iso3")["region_id"]
    colours = theme.region_colours(list(regions["region_id"]))
    used: dict[str, int] = {}
    styles = {}
    for destination in destination_ids:
        colour = colours.get(region_of.get(destination), theme.NEUTRAL)
        styles[destination] = (colour, theme.PATTERNS[used.get(colour, 0) % len(theme.PATTERNS)])
        used[colour] = used.get(colour, 0) + 1
    return styles


def exports_by_destination_chart(frame: pd.DataFrame, countries: pd.DataFrame, regions: pd.DataFrame, lang: str,
                                 title: str | None = None) -> go.Figure:
    """One series per destination, coloured by its region; a year's note (e.g. "incl. Hong Kong") goes
    into its hover, not a new series. The legend shows even for one series (it names the destination);
    `title` replaces the generic title (pass one that names a selection)."""
    fig = go.Figure()
    data = frame.sort_values("year")
    styles = destination_styles(list(dict.fromkeys(data["destination_id"])), countries, regions)
    for destination, rows in data.groupby("destination_id", sort=False):
        name = rows[f"name_{lang}"].iloc[0]
        notes = rows[f"note_{lang}"].fillna("") if f"note_{lang}" in rows else pd.Series("", index=rows.index)
        colour, pattern = styles[destination]
        fig.add_trace(go.Bar(x=rows["year"], y=rows["exports_usd_bn"], name=name, customdata=notes,
                             marker=dict(color=colour, pattern=dict(shape=pattern, fgcolor="#ffffff")),
                             hovertemplate=name + " %{x}: %{y:,.2f} " + t("unit.usd_bn", lang)
                             + " %{customdata}<extra></extra>"))
    fig.update_layout(barmode="group", showlegend=True, legend=dict(orientation="h", y=-0.15))
    fig.update_xaxes(title=None, **year_ticks(frame["year"]))
    fig.update_yaxes(title=t("unit.usd_bn", lang))
    return _layout(fig, title or t("chart.destinations_title", lang), height=400)


def briefing_series_chart(series: pd.DataFrame, lang: str) -> go.Figure:
    """Attendees (persons) and countries represented per briefing, as grouped bars with their
    numbers on them; a briefing whose country count is not recorded says so instead of a gap."""
    data = series.sort_values("event_date")
    labels = list(data["event_date"].dt.strftime("%Y-%m-%d"))
    places = [f" · {where}" if isinstance(where, str) and where else "" for where in data[f"place_{lang}"]]
    fig = go.Figure()
    for column, colour, unit in (("attendees", theme.OKABE_ITO[0], "unit.persons"),
                                 ("countries", theme.OKABE_ITO[1], "unit.countries")):
        name = t(f"chart.{column}", lang)
        values = data[column]
        text = [f"~{v:,.0f}" if pd.notna(v) else t("chart.not_recorded", lang) for v in values]
        for label, value in zip(labels, values, strict=True):
            if pd.isna(value):  # a zero-height bar's text would shrink to nothing: say it above the axis
                fig.add_annotation(x=label, y=0, yanchor="bottom", yshift=4, xshift=14, textangle=-90,
                                   showarrow=False, text=t("chart.not_recorded", lang),
                                   font=dict(size=12, color=theme.MUTED))
        fig.add_trace(go.Bar(x=labels, y=values.fillna(0), name=name, marker_color=colour,
                             text=[value if pd.notna(n) else "" for value, n in zip(text, values, strict=True)],
                             textposition="outside", cliponaxis=False,
                             customdata=[where + ": " + (f"{v} {t(unit, lang)}" if pd.notna(n) else v)
                                         for where, v, n in zip(places, text, values, strict=True)],
                             hovertemplate="%{x}%{customdata}<extra>" + name + "</extra>"))
    top = float(pd.concat([data["attendees"], data["countries"]]).max() or 0)
    fig.update_xaxes(title=None, type="category")
    fig.update_yaxes(title=None, range=[0, top * 1.2 if top else 1])
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=-0.25))
    return _layout(fig, t("chart.series_title", lang), height=380)


def milestones_timeline(milestones: pd.DataFrame, lang: str) -> go.Figure:
    data = milestones.sort_values("start")
    end = data["end"].fillna(data["start"]) + pd.Timedelta(days=1)
    fig = go.Figure(go.Bar(
        base=data["start"], x=(end - data["start"]).dt.total_seconds() * 1000, y=data[f"label_{lang}"],
        orientation="h", marker_color=theme.OKABE_ITO[0],
        customdata=list(zip(data["start"].dt.strftime("%Y-%m-%d"), data["end"].dt.strftime("%Y-%m-%d").fillna(""),
                            strict=True)),
        hovertemplate="%{y}<br>%{customdata[0]} %{customdata[1]}<extra></extra>",
    ))
    fig.update_xaxes(type="date", title=None, **date_axis(lang))
    fig.update_yaxes(title=None, autorange="reversed")
    return _layout(fig, t("chart.timeline_title", lang), height=320)
