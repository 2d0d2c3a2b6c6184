"""World maps of the partner regions: countries by region, belts as great-circle arcs, hubs as points.

Geometry is served by the app itself (see `geo_assets`); figures here only reference ISO-3 ids.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import theme
from dashboard.i18n import t

TEMPLATE = theme.register_template()
ARC_POINTS = 24


def great_circle(start: tuple[float, float], end: tuple[float, float], points: int = ARC_POINTS) -> tuple[list[float], list[float]]:
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


def origin(countries: pd.DataFrame) -> pd.Series:
    """Korea, the origin of every arc (the row flagged `is_origin`)."""
    rows = countries[countries["is_origin"].astype(bool)]
    return rows.iloc[0]


def belt_arcs(countries: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """One arc per partner country in a region whose role is a cooperation belt."""
    seoul = origin(countries)
    belt_regions = set(regions.loc[regions["role"] == "belt", "region_id"])
    partners = countries[countries["region_id"].isin(belt_regions) & ~countries["is_origin"].astype(bool)]
    rows = []
    for partner in partners.itertuples(index=False):
        lats, lons = great_circle((seoul.capital_lat, seoul.capital_lon), (partner.capital_lat, partner.capital_lon))
        rows.append({"iso3": partner.iso3, "region_id": partner.region_id, "lats": lats, "lons": lons})
    return pd.DataFrame(rows, columns=["iso3", "region_id", "lats", "lons"])


def region_map(countries: pd.DataFrame, regions: pd.DataFrame, hubs: pd.DataFrame | None, lang: str, *,
               measure: pd.Series | None = None, measure_label: str | None = None,
               selected: str | None = None, height: int = 520, show_arcs: bool = True,
               resolution: int = 50) -> go.Figure:
    """Partner countries coloured by region (or by `measure` when given), belts, hubs, Korea highlighted."""
    name = f"name_{lang}"
    region_names = regions.set_index("region_id")[name]
    colours = theme.region_colours(list(regions.sort_values("sort_order")["region_id"]))
    partners = countries[~countries["is_origin"].astype(bool)]
    fig = go.Figure()
    if measure is None:
        for region in regions.sort_values("sort_order").itertuples(index=False):
            members = partners[partners["region_id"] == region.region_id]
            if members.empty:
                continue
            colour = colours[region.region_id]
            fig.add_trace(go.Choropleth(
                locations=members["iso3"], z=[1] * len(members), locationmode="ISO-3",
                colorscale=[[0, colour], [1, colour]], showscale=False, name=getattr(region, name),
                showlegend=True, marker_line_color="#ffffff", marker_line_width=0.6,
                customdata=members[[name]].assign(region=getattr(region, name)).to_numpy(),
                hovertemplate="%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
            ))
    else:
        values = partners["iso3"].map(measure).fillna(0)
        fig.add_trace(go.Choropleth(
            locations=partners["iso3"], z=values, locationmode="ISO-3", colorscale=list(theme.SEQUENTIAL),
            marker_line_color="#ffffff", marker_line_width=0.6, name=measure_label or "",
            colorbar=dict(title=dict(text=measure_label or ""), thickness=14, len=0.6),
            customdata=np.column_stack([partners[name], partners["region_id"].map(region_names), values]),
            hovertemplate="%{customdata[0]}<br>%{customdata[1]}<br>" + (measure_label or "")
            + ": %{customdata[2]:,}<extra></extra>",
        ))
    home = origin(countries)
    fig.add_trace(go.Choropleth(
        locations=[home.iso3], z=[1], locationmode="ISO-3", colorscale=[[0, theme.ORIGIN_COLOUR], [1, theme.ORIGIN_COLOUR]],
        showscale=False, name=t("map.origin", lang), showlegend=True, marker_line_color="#ffffff",
        hovertemplate=f"{home[name]}<br>{t('map.origin', lang)}<extra></extra>",
    ))
    if show_arcs:
        arcs = belt_arcs(countries, regions)
        lats: list[float | None] = []
        lons: list[float | None] = []
        for arc in arcs.itertuples(index=False):
            lats += [*arc.lats, None]
            lons += [*arc.lons, None]
        if lats:
            fig.add_trace(go.Scattergeo(lat=lats, lon=lons, mode="lines", name=t("map.belts", lang),
                                        line=dict(width=1.4, color="rgba(27,31,36,0.55)"), hoverinfo="skip"))
    if hubs is not None and len(hubs):
        fig.add_trace(go.Scattergeo(
            lat=hubs["lat"], lon=hubs["lon"], mode="markers", name=t("map.hubs", lang),
            marker=dict(size=11, color="#ffffff", symbol="diamond", line=dict(width=2, color=theme.INK)),
            customdata=np.column_stack([hubs[name], hubs[f"city_{lang}"], hubs["opened"].astype("str")]),
            hovertemplate="%{customdata[0]}<br>%{customdata[1]}<br>" + t("map.opened", lang)
            + ": %{customdata[2]}<extra></extra>",
        ))
    if selected:
        chosen = countries[(countries["region_id"] == selected) | (countries["iso3"] == selected)]
        if len(chosen):
            fig.add_trace(go.Choropleth(
                locations=chosen["iso3"], z=[0] * len(chosen), locationmode="ISO-3", showscale=False,
                colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], marker_line_color=theme.INK,
                marker_line_width=2.2, hoverinfo="skip", showlegend=False, name="selected"))
    fig.update_geos(
        projection_type="natural earth", resolution=resolution, showcountries=True, countrycolor="#c9ced6",
        showland=True, landcolor="#eef1f4", showocean=True, oceancolor="#f7f9fb", showframe=False,
        showcoastlines=False, lataxis_range=[-15, 75], lonaxis_range=[-130, 160], fitbounds=False,
    )
    fig.update_layout(template=TEMPLATE, height=height, margin=dict(l=0, r=0, t=10, b=0),
                      legend=dict(orientation="h", y=-0.02, x=0.0, yanchor="top"))
    return fig
