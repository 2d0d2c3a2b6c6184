"""Local world geometry and fonts for Plotly geo charts, so maps draw offline.

plotly.js (4.x, bundled both in Streamlit's frontend and in plotly.py 7 for
kaleido) fetches the world geometry at run time from
``<topojsonURL><scope>_<resolution>m.json`` (for example ``world_50m.json``),
by default from Plotly's CDN. This module points both renderers at the copy
kept in the repository's ``static/topojson/`` folder (see its README and
``docs/geometry.md``):

* in the browser, through Streamlit's static file serving
  (``[server] enableStaticServing = true`` serves ``static/`` at
  ``/app/static/``) and the Plotly config ``topojsonURL``;
* in kaleido (``fig.write_image``), through ``plotly.io.defaults.topojson``.

No Streamlit import here: the caller passes ``server.baseUrlPath`` if the app
runs under a path prefix.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]

#: Where Streamlit serves the repository's ``static/`` folder (without base URL path).
APP_STATIC_ROUTE = "app/static"

#: Resolutions shipped in static/topojson (plotly.js only knows 110 and 50).
RESOLUTIONS = (110, 50)

#: Debian's Chromium, used by kaleido when no other browser is configured.
DEBIAN_CHROMIUM = "/usr/bin/chromium"

#: plotly.js locales compiled into every plotly.js bundle; any other locale
#: needs its dictionary registered in the page, which Streamlit does not do.
_BUILTIN_PLOTLY_LOCALES = {"en": "en", "en-us": "en-US"}


def topojson_dir() -> Path:
    """The repository's ``static/topojson`` folder (the files plotly.js fetches)."""
    return _ROOT / "static" / "topojson"


def topojson_path(resolution: int = 50, scope: str = "world") -> Path:
    """Path of the file plotly.js requests for ``geo.scope``/``geo.resolution``."""
    if resolution not in RESOLUTIONS:
        raise ValueError(f"plotly.js geo resolution must be one of {RESOLUTIONS}, not {resolution!r}")
    return topojson_dir() / f"{scope.replace(' ', '-')}_{resolution}m.json"


def topojson_url(base_url_path: str = "") -> str:
    """The browser URL of ``static/topojson/``, ending in ``/``.

    plotly.js appends ``<scope>_<resolution>m.json`` to it. The URL is absolute
    (starts with ``/``) so it resolves the same on every page of a multipage
    app; ``base_url_path`` is Streamlit's ``server.baseUrlPath`` if one is set.
    """
    prefix = "/".join(part for part in base_url_path.split("/") if part)
    return "/" + (f"{prefix}/" if prefix else "") + f"{APP_STATIC_ROUTE}/topojson/"


def plotly_config(lang: str | None = None, *, base_url_path: str = "") -> dict:
    """The ``config`` dict for ``st.plotly_chart`` so geo charts use the local geometry.

    ``lang`` only sets plotly.js' ``locale`` when that locale is built into
    plotly.js (English). Korean has no plotly.js dictionary in Streamlit's
    bundle, so for ``"ko"`` the key is left out (plotly would fall back to
    English anyway); Korean text in titles and labels is unaffected.
    """
    config: dict = {
        "topojsonURL": topojson_url(base_url_path),
        "displaylogo": False,
    }
    if lang:
        locale = _BUILTIN_PLOTLY_LOCALES.get(lang.strip().lower().replace("_", "-"))
        if locale:
            config["locale"] = locale
    return config


def configure_kaleido(browser_path: str | None = None) -> None:
    """Make ``fig.write_image`` draw maps offline with the local geometry.

    * ``plotly.io.defaults.topojson`` is set to the ``file://`` URL of
      ``static/topojson/`` (kaleido's page is itself a ``file://`` page and may
      read it);
    * kaleido 1.x starts Chrome through choreographer, which takes the
      ``BROWSER_PATH`` environment variable before searching ``PATH``. It is
      set to ``browser_path`` if given, else to Debian's ``/usr/bin/chromium``
      when that exists and ``BROWSER_PATH`` is not already set. (A Chrome
      downloaded by ``kaleido_get_chrome`` still takes precedence over both.)

    plotly.js itself comes from plotly.py's bundled ``plotly.min.js``, so no
    CDN is needed. Korean text in exported images is drawn with the system's
    CJK font (Debian package ``fonts-noto-cjk``).
    """
    import plotly.io as pio

    pio.defaults.topojson = topojson_dir().as_uri() + "/"
    if browser_path:
        os.environ["BROWSER_PATH"] = str(browser_path)
    elif not os.environ.get("BROWSER_PATH") and os.access(DEBIAN_CHROMIUM, os.X_OK):
        os.environ["BROWSER_PATH"] = DEBIAN_CHROMIUM


def merge_duplicate_ids(topology: dict) -> dict:
    """Merge ``countries`` features that share an id into one MultiPolygon, in place.

    plotly.js fills only the *first* feature whose id matches a location, so
    in the UN geometry as shipped by plotly.js a choropleth value for PRT left
    the Azores and Madeira blank, ESP the Canary Islands, ECU the Galapagos,
    MUS the Chagos Archipelago, BES two of its islands, and PSE the whole West
    Bank (Gaza came first). The copy in ``static/topojson`` has been merged
    with this function; the merged feature keeps the first one's position and
    its ``ct`` (centre of the largest part, used for scattergeo markers).
    Returns ``topology``.
    """
    merged: dict[str, dict] = {}
    kept = []
    for g in topology["objects"]["countries"]["geometries"]:
        gid = g.get("id")
        if not isinstance(gid, str) or g.get("type") not in ("Polygon", "MultiPolygon"):
            kept.append(g)
            continue
        parts = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        first = merged.get(gid)
        if first is None:
            merged[gid] = g
            kept.append(g)
        else:
            first_parts = first["arcs"] if first["type"] == "MultiPolygon" else [first["arcs"]]
            first["type"] = "MultiPolygon"
            first["arcs"] = first_parts + parts
    topology["objects"]["countries"]["geometries"] = kept
    return topology


@lru_cache(maxsize=None)
def _countries_ids(path: Path) -> frozenset[str]:
    with path.open(encoding="utf-8") as f:
        topology = json.load(f)
    geometries = topology["objects"]["countries"]["geometries"]
    return frozenset(g["id"] for g in geometries if isinstance(g.get("id"), str))


def geometry_iso3(resolution: int = 50) -> set[str]:
    """ISO-3 ids of the world geometry's ``countries`` layer at ``resolution``.

    These are the only ``locations`` a ``locationmode="ISO-3"`` choropleth can
    fill; anything else should be drawn as a marker (scattergeo) instead. The
    UN geometry also has non-ISO ids for disputed areas (XJK Jammu and Kashmir,
    XAC Aksai Chin, XAP Arunachal Pradesh, XHT Halaib Triangle, XBT Bir Tawil,
    XIT Ilemi Triangle).
    """
    return set(_countries_ids(topojson_path(resolution)))


@lru_cache(maxsize=None)
def _centroids(path: Path) -> dict[str, tuple[float, float]]:
    with path.open(encoding="utf-8") as f:
        topology = json.load(f)
    out: dict[str, tuple[float, float]] = {}
    for g in topology["objects"]["countries"]["geometries"]:
        ct = (g.get("properties") or {}).get("ct")
        # plotly.js colours only the first feature with a given id, so keep the first.
        if isinstance(g.get("id"), str) and ct and g["id"] not in out:
            out[g["id"]] = (float(ct[0]), float(ct[1]))
    return out


def geometry_centroids(resolution: int = 50) -> dict[str, tuple[float, float]]:
    """``{iso3: (lon, lat)}``: centre of each country's largest polygon (from the topojson).

    Handy for placing a scattergeo marker where a country is too small to see
    as a filled shape (SGP, MDV, BHR, MLT ...).
    """
    return dict(_centroids(topojson_path(resolution)))
