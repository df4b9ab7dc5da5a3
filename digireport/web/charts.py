"""Inline SVG charts of the web report: each scales to the width of its column and carries its own
text alternative (`<title>` and `<desc>`); the numbers are also in a table beside it."""

from __future__ import annotations

from html import escape

from digireport.colours import LINE, MUTED, TARGET_LINE

# The drawing's own width; the page scales it to its column (CSS `width:100%`), so at 320 px the
# text stays about the size of the page's text.
WIDTH = 340
TREND_WIDTH = 300


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _open(ident: str, title: str, desc: str, height: int, css: str, width: int = WIDTH) -> list[str]:
    return [f'<svg class="{css}" role="img" aria-labelledby="{ident}-t {ident}-d" '
            f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" '
            'xmlns="http://www.w3.org/2000/svg">',
            f'<title id="{ident}-t">{_e(title)}</title><desc id="{ident}-d">{_e(desc)}</desc>']


def bar_chart(ident: str, title: str, desc: str, bars: list[tuple[str, int, str]], peak: int,
              fmt=str) -> str:
    """Horizontal bars, each under its label; `peak` is the value of a full-width bar, shared by every
    chart of the same kind so that equal counts have equal lengths."""
    row_h, top = 40, 4
    height = top + row_h * len(bars) + 4
    # Room for the longest label at about 7.5 units a character of the 13-unit font.
    width = max(WIDTH, round(7.5 * max((len(label) for label, _v, _c in bars), default=0)) + 8)
    bar_w = width - 56
    peak = peak or 1
    out = _open(ident, title, desc, height, "chart", width)
    for n, (label, value, colour) in enumerate(bars):
        y = top + n * row_h
        w = round(bar_w * value / peak)
        out.append(f'<text x="0" y="{y + 14}">{_e(label)}</text>')
        out.append(f'<rect x="0" y="{y + 19}" width="{w}" height="16" fill="{colour}"/>')
        out.append(f'<text x="{w + 6}" y="{y + 32}">{_e(fmt(value))}</text>')
    out.append("</svg>")
    return "".join(out)


def trend_chart(ident: str, title: str, desc: str, points: list[tuple[int, float, str]],
                target: float | None, target_label: str, low: float = 0.0) -> str:
    """Columns of an indicator's comparable values per year, with the target as a dashed line.

    `points` are (year, value, value as text); `low` is the bottom of the axis (a scale's low end).
    """
    height, top, base = 206, 20, 160
    peak = max([v for _y, v, _t in points] + ([target] if target is not None else []))
    span = (peak - low) * 1.05 or 1
    slot = (TREND_WIDTH - 8) / max(len(points), 1)
    col_w = min(56, slot * 0.6)

    def y_of(v: float) -> float:
        return round(base - (base - top) * (max(v, low) - low) / span, 1)

    out = _open(ident, title, desc, height, "chart trend", TREND_WIDTH)
    out.append(f'<line x1="0" y1="{base}" x2="{TREND_WIDTH}" y2="{base}" stroke="{LINE}" stroke-width="1"/>')
    for n, (year, value, text) in enumerate(points):
        cx = 4 + slot * n + slot / 2
        y = y_of(value)
        out.append(f'<rect x="{round(cx - col_w / 2, 1)}" y="{y}" width="{round(col_w, 1)}" '
                   f'height="{round(base - y, 1)}" fill="{MUTED}"/>')
        out.append(f'<text x="{round(cx, 1)}" y="{y - 5}" text-anchor="middle">{_e(text)}</text>')
        out.append(f'<text x="{round(cx, 1)}" y="{base + 18}" text-anchor="middle">{year}</text>')
    if target is not None:
        # The target line crosses the columns; its value is told once, in a key under the axis.
        ty = y_of(target)
        dash = f'stroke="{TARGET_LINE}" stroke-width="2" stroke-dasharray="6 4"'
        out.append(f'<line x1="0" y1="{ty}" x2="{TREND_WIDTH}" y2="{ty}" {dash}/>')
        out.append(f'<line x1="0" y1="{base + 37}" x2="28" y2="{base + 37}" {dash}/>')
        out.append(f'<text x="34" y="{base + 42}">{_e(target_label)}</text>')
    out.append("</svg>")
    return "".join(out)
