"""The app's own world geometry and Korean font: present, complete enough, and drawn offline."""

from __future__ import annotations

import io
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from dashboard import geo_assets
from dashboard.geo_assets import (
    configure_kaleido,
    geometry_centroids,
    geometry_iso3,
    merge_duplicate_ids,
    plotly_config,
    topojson_dir,
    topojson_path,
    topojson_url,
)

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "static"
FONTS = STATIC / "fonts"

EU28_2017 = set(
    "AUT BEL BGR HRV CYP CZE DNK EST FIN FRA DEU GRC HUN IRL ITA LVA LTU LUX "
    "MLT NLD POL PRT ROU SVK SVN ESP SWE GBR".split()
)
ASEAN = set("BRN KHM IDN LAO MYS MMR PHL SGP THA VNM".split())
SOUTH_ASIA = set("AFG BGD BTN IND IRN MDV NPL PAK LKA".split())
EURASIA = set("RUS MNG KAZ KGZ TJK TKM UZB BLR UKR MDA AZE ARM GEO".split())
CORE = {"USA", "CHN", "KOR", "PRK", "DEU", "BEL"}
PARTNERS = EU28_2017 | ASEAN | SOUTH_ASIA | EURASIA | CORE

# Documented absences (docs/geometry.md): too small for the 110m file.
MISSING_AT_110 = {"MLT", "SGP", "MDV"}
DISPUTED_IDS = {"XJK", "XAC", "XAP", "XHT", "XBT", "XIT"}

KIB = 1024


def _load(resolution: int) -> dict:
    return json.loads(topojson_path(resolution).read_text(encoding="utf-8"))


# --- files -----------------------------------------------------------------


def test_topojson_files_exist_within_size_budget():
    sizes = {r: topojson_path(r).stat().st_size for r in (110, 50)}
    assert topojson_dir() == STATIC / "topojson"
    assert 150 * KIB < sizes[110] < 400 * KIB
    assert 1000 * KIB < sizes[50] < 2048 * KIB
    assert sum(p.stat().st_size for p in topojson_dir().iterdir()) < 2.5 * 1024 * KIB
    readme = (topojson_dir() / "README.md").read_text(encoding="utf-8")
    assert "plotly.js@4.1.1" in readme and "MIT" in readme


def test_font_files_exist_within_size_budget_with_licence():
    woff2 = sorted(p.name for p in FONTS.glob("*.woff2"))
    assert woff2 == [
        "noto-sans-kr-korean-400-normal.woff2",
        "noto-sans-kr-korean-700-normal.woff2",
        "noto-sans-kr-latin-400-normal.woff2",
        "noto-sans-kr-latin-700-normal.woff2",
    ]
    for name in woff2:
        assert (FONTS / name).read_bytes()[:4] == b"wOF2", name
    total = sum((FONTS / n).stat().st_size for n in woff2)
    assert total < 2 * 1024 * KIB
    assert all((FONTS / n).stat().st_size > 400 * KIB for n in woff2 if "korean" in n)
    licence = (FONTS / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    readme = (FONTS / "README.md").read_text(encoding="utf-8")
    assert "@fontsource/noto-sans-kr@5.3.0" in readme and "[[theme.fontFaces]]" in readme


@pytest.mark.parametrize("resolution", [110, 50])
def test_topology_has_the_layers_plotly_draws(resolution):
    topo = _load(resolution)
    assert topo["type"] == "Topology"
    assert {"countries", "land", "coastlines", "ocean", "lakes", "rivers", "subunits"} <= set(
        topo["objects"]
    )
    for g in topo["objects"]["countries"]["geometries"]:
        assert isinstance(g["id"], str) and len(g["id"]) == 3 and g["id"].isupper()
        assert g["type"] in ("Polygon", "MultiPolygon")
        lon, lat = g["properties"]["ct"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90


# --- ids -------------------------------------------------------------------


@pytest.mark.parametrize("resolution", [110, 50])
def test_both_koreas_are_separate_shapes(resolution):
    topo = _load(resolution)
    by_id = {g["id"]: g for g in topo["objects"]["countries"]["geometries"]}
    assert {"KOR", "PRK"} <= geometry_iso3(resolution)
    assert by_id["KOR"]["arcs"] != by_id["PRK"]["arcs"]
    ct = geometry_centroids(resolution)
    assert 125 < ct["KOR"][0] < 130 and 34 < ct["KOR"][1] < 38.6
    assert 124 < ct["PRK"][0] < 131 and 38 < ct["PRK"][1] < 43
    assert ct["PRK"][1] > ct["KOR"][1]


def test_every_partner_has_a_shape_at_50m():
    assert PARTNERS - geometry_iso3(50) == set()


def test_documented_absences_at_110m():
    ids = geometry_iso3(110)
    assert PARTNERS - ids == MISSING_AT_110
    assert "BHR" not in ids and "BHR" in geometry_iso3(50)


def test_un_geometry_traits_recorded_in_docs():
    ids50, ids110 = geometry_iso3(50), geometry_iso3(110)
    # Disputed areas are their own shapes in the UN geometry, at both resolutions.
    assert DISPUTED_IDS <= ids50 and DISPUTED_IDS <= ids110
    assert {"TWN", "ESH", "PSE", "UKR", "SRB"} <= ids50
    # Kosovo has no shape of its own; SMR and VAT are merged into ITA.
    assert not {"XKX", "SMR", "VAT"} & ids50
    assert {"SGP", "MDV", "MLT", "BHR", "HKG", "MAC"} <= ids50


@pytest.mark.parametrize("resolution", [110, 50])
def test_no_duplicate_ids_so_plotly_fills_every_part(resolution):
    topo = _load(resolution)
    counts = Counter(g["id"] for g in topo["objects"]["countries"]["geometries"])
    assert [k for k, n in counts.items() if n > 1] == []
    by_id = {g["id"]: g for g in topo["objects"]["countries"]["geometries"]}
    # West Bank + Gaza; mainland + Madeira (+ Azores at 50m); mainland + Canaries.
    assert by_id["PSE"]["type"] == "MultiPolygon" and len(by_id["PSE"]["arcs"]) >= 2
    assert by_id["PRT"]["type"] == "MultiPolygon"
    assert len(by_id["PRT"]["arcs"]) >= (2 if resolution == 110 else 3)
    assert len(by_id["ESP"]["arcs"]) >= 2
    # Shipped file is already merged: merging again changes nothing.
    assert merge_duplicate_ids(json.loads(json.dumps(topo))) == topo


def test_merge_duplicate_ids_combines_parts_in_first_position():
    topo = {
        "objects": {
            "countries": {
                "geometries": [
                    {"type": "Polygon", "id": "AAA", "arcs": [[0]], "properties": {"ct": [1, 1]}},
                    {"type": "Polygon", "id": "BBB", "arcs": [[1]], "properties": {"ct": [2, 2]}},
                    {"type": "MultiPolygon", "id": "AAA", "arcs": [[[2]], [[3]]], "properties": {"ct": [9, 9]}},
                ]
            }
        }
    }
    out = merge_duplicate_ids(topo)["objects"]["countries"]["geometries"]
    assert [g["id"] for g in out] == ["AAA", "BBB"]
    assert out[0] == {
        "type": "MultiPolygon",
        "id": "AAA",
        "arcs": [[[0]], [[2]], [[3]]],
        "properties": {"ct": [1, 1]},
    }


def test_geometry_centroids_place_small_partners():
    ct = geometry_centroids(50)
    lon, lat = ct["SGP"]
    assert 103.5 < lon < 104.1 and 1.1 < lat < 1.5
    assert set(ct) == geometry_iso3(50)


def test_unknown_resolution_is_refused():
    with pytest.raises(ValueError):
        topojson_path(10)


# --- plotly config -----------------------------------------------------------


def test_plotly_config_points_at_the_served_folder():
    cfg = plotly_config()
    assert cfg == {"topojsonURL": "/app/static/topojson/", "displaylogo": False}
    # plotly.js requests <topojsonURL><scope>_<resolution>m.json; Streamlit serves
    # static/<path> at /app/static/<path>.
    for r in (110, 50):
        served = STATIC / (cfg["topojsonURL"] + f"world_{r}m.json").removeprefix("/app/static/")
        assert served == topojson_path(r) and served.is_file()


def test_plotly_config_locale_and_base_url_path():
    assert "locale" not in plotly_config("ko")
    assert plotly_config("en")["locale"] == "en"
    assert plotly_config("en_US")["locale"] == "en-US"
    assert topojson_url("/dash/") == "/dash/app/static/topojson/"
    assert topojson_url("a/b") == "/a/b/app/static/topojson/"
    assert plotly_config(base_url_path="dash")["topojsonURL"] == "/dash/app/static/topojson/"


# --- kaleido renders offline from the local files ------------------------------


@pytest.fixture
def kaleido_defaults(monkeypatch):
    import plotly.io as pio

    monkeypatch.setattr(pio.defaults, "topojson", pio.defaults.topojson)
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    yield pio


def _korea_png(width=400, height=400) -> bytes:
    import plotly.graph_objects as go

    fig = go.Figure(
        go.Choropleth(
            locations=["KOR", "PRK"],
            z=[0, 1],
            colorscale=[[0, "rgb(255,0,0)"], [1, "rgb(0,0,255)"]],
            showscale=False,
            marker_line_width=0,
        )
    )
    fig.update_geos(resolution=50, fitbounds="locations", showframe=False, bgcolor="white")
    fig.update_layout(margin=dict(l=0, r=0, t=0, b=0), paper_bgcolor="white")
    return fig.to_image(format="png", width=width, height=height)


def _count(png: bytes, pred) -> int:
    from PIL import Image

    raw = Image.open(io.BytesIO(png)).convert("RGB").tobytes()
    return sum(1 for i in range(0, len(raw), 3) if pred(raw[i : i + 3]))


@pytest.mark.timeout(240)
def test_configure_kaleido_sets_local_geometry_and_debian_chromium(kaleido_defaults):
    configure_kaleido()
    assert kaleido_defaults.defaults.topojson == topojson_dir().as_uri() + "/"
    if os.access(geo_assets.DEBIAN_CHROMIUM, os.X_OK):
        assert os.environ["BROWSER_PATH"] == geo_assets.DEBIAN_CHROMIUM

    png = _korea_png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    total = 400 * 400
    red = _count(png, lambda p: p[0] > 200 and p[1] < 60 and p[2] < 60)  # KOR
    blue = _count(png, lambda p: p[2] > 200 and p[0] < 60 and p[1] < 60)  # PRK
    not_white = _count(png, lambda p: min(p) < 245)
    assert red > 0.01 * total, red
    assert blue > 0.01 * total, blue
    assert blue > red  # the north is drawn larger than the south
    # Neighbouring land (China, Japan, Russia) is drawn too, not only the two filled shapes. The
    # amount varies with the renderer's defaults (36,000 here, 10,000 on a fresh clone), so only
    # require clearly more than the filled shapes.
    assert not_white > 1.2 * (red + blue), not_white


@pytest.mark.timeout(240)
def test_kaleido_really_reads_the_configured_geometry(kaleido_defaults, tmp_path):
    """Negative control: with an empty geometry folder the export fails, so no CDN fallback."""
    configure_kaleido()
    kaleido_defaults.defaults.topojson = tmp_path.as_uri() + "/"
    with pytest.raises(Exception, match="topojson"):
        _korea_png(100, 100)
