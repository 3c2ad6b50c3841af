"""Geometry of the Estadístico's charts, drawn by the templates as SVG (``partials/
charts.html``): horizontal bars whose x and width are percentages of the chart's width,
so no script and no inline style is needed (the CSP allows neither). Pure functions."""
from __future__ import annotations

import math

from . import labels

#: the bars start at this share of the width (the labels' column) and may take this much
LABEL_COLUMN = 34.0
BAR_SPAN = 52.0
#: rows a chart shows (the table under it has every row)
MAX_ROWS = 15
ROW_HEIGHT = 28


def _label(key) -> str:
    text = str(key) if key not in (None, "") else "(sin dato)"
    return text if len(text) <= 34 else text[:33] + "…"


def _x(share: float) -> float:
    return round(LABEL_COLUMN + BAR_SPAN * max(0.0, min(1.0, share)), 2)


def _w(share: float) -> float:
    return round(BAR_SPAN * max(0.0, min(1.0, share)), 2)


def _height(rows: list) -> int:
    return ROW_HEIGHT * len(rows) + 8


def compliance(rows: list[dict]) -> dict:
    """Share on time per key (0–100 % of the span), the 95 % interval as a whisker; keys
    without a finished report have no bar, only their open overdue count."""
    out = []
    for r in rows[:MAX_ROWS]:
        share = r.get("share_on_time")
        item = {"label": _label(r.get("key")), "key": r.get("key"), "finished": r.get("finished") or 0,
                "overdue": r.get("open_overdue") or 0}
        if share is None:
            item |= {"w": 0, "text": f"sin cierres · {item['overdue']} vencido(s) abierto(s)", "tx": _x(0) + 1}
        else:
            item |= {"w": _w(share), "text": f"{labels.percent(share)} de {labels.number(item['finished'])}",
                     "tx": _x(max(share, r.get("ci95_high") or 0)) + 1,
                     "level": "good" if share >= 0.8 else "fair" if share >= 0.6 else "poor"}
            if r.get("ci95_low") is not None and r.get("ci95_high") is not None:
                item |= {"lo": _x(r["ci95_low"]), "hi": _x(r["ci95_high"])}
        out.append(item)
    return {"rows": out, "height": _height(out), "x0": LABEL_COLUMN, "x80": _x(0.8)}


def stacked(rows: list[dict], statuses: dict[str, str]) -> dict:
    """Each key's reports split by status, scaled to the largest total."""
    rows = rows[:MAX_ROWS]
    top = max((r.get("total") or 0 for r in rows), default=0) or 1
    out = []
    for r in rows:
        x, segs = LABEL_COLUMN, []
        for st, name in statuses.items():
            n = r.get(st) or 0
            if n:
                w = round(BAR_SPAN * n / top, 2)
                segs.append({"status": st, "name": name, "n": n, "x": round(x, 2), "w": w})
                x += w
        out.append({"label": _label(r.get("key")), "total": r.get("total") or 0, "segments": segs,
                    "tx": round(x + 1, 2)})
    return {"rows": out, "height": _height(out), "legend": statuses}


def bars(rows: list[dict], value: str = "total") -> dict:
    """One bar per key, scaled to the largest value, with its share of the whole."""
    rows = rows[:MAX_ROWS]
    top = max((r.get(value) or 0 for r in rows), default=0) or 1
    out = []
    for r in rows:
        n = r.get(value) or 0
        w = round(BAR_SPAN * n / top, 2)
        pct = f" ({r['percent']:.1f} %)" if r.get("percent") is not None else ""
        out.append({"label": _label(r.get("key")), "w": w, "tx": round(LABEL_COLUMN + w + 1, 2),
                    "text": labels.number(n) + pct})
    return {"rows": out, "height": _height(out)}


def radius(total: int, top: int) -> float:
    """A colonia's circle on the map: its area grows with its reports (5 to 25 px)."""
    if not top or not total:
        return 5.0
    return round(5 + 20 * math.sqrt(total / top), 1)
