"""Drawing a layout to PNG with matplotlib (Agg) and the NanumGothic font of koreanize-matplotlib.

matplotlib is imported inside these functions only, so importing ``pictures`` (or anything that
imports it) costs nothing until a picture is drawn. Coordinates are pixels at 100 dpi with y
growing downwards; rendering at another dpi scales the whole picture.
"""

from __future__ import annotations

import importlib.util
import io
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pictures.layout import (
    CURRENT,
    PAST,
    BuildingSection,
    Campus,
    MonthCalendar,
    PictureError,
    Timeline,
    text_em,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

Layout = Timeline | Campus | MonthCalendar

WIDTH = 1200  # px at 100 dpi
DPI = 100
FONT_PACKAGE = "koreanize_matplotlib"
FONT_FILES = ("NanumGothic.ttf", "NanumGothicBold.ttf")

INK, MUTED, FAINT, GRID = "#222222", "#666666", "#a8a8a8", "#e4e4e4"
PAST_FILL, PAST_INK = "#cfcfcf", "#9a9a9a"
TODAY = "#d62728"
HIGHLIGHT_BAND = "#fff4c2"
EVENT_COLORS = {
    "application": "#1f77b4",
    "written_exam": "#9467bd",
    "written_result": "#17becf",
    "personality_test": "#2ca02c",
    "interview": "#ff7f0e",
    "final_result": "#d62728",
}
COHORT_COLORS = ("#cfe3f7", "#fde0c5", "#d7f0d2", "#eadcf5", "#fbd5dc", "#d9f2f2", "#f3efc4")
SUNDAY, SATURDAY = "#d62728", "#1f5fbf"
BOLD = 600  # NanumGothicBold.ttf registers as weight 600

_lock = threading.Lock()
_family: str | None = None


def font_files() -> list[Path]:
    """The Korean font files the pictures use (shipped by the koreanize-matplotlib package)."""
    spec = importlib.util.find_spec(FONT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise PictureError(
            "한글 글꼴 패키지(koreanize-matplotlib)가 설치되어 있지 않아요. "
            "pip install koreanize-matplotlib 로 설치해 주세요."
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "fonts"
    files = [folder / name for name in FONT_FILES]
    missing = [f.name for f in files if not f.is_file()]
    if missing:
        raise PictureError(f"한글 글꼴 파일이 없어요: {', '.join(missing)} ({folder})")
    return files


def _korean_family() -> str:
    """Register the font files with matplotlib once; the family name to draw with."""
    global _family
    if _family is None:
        from matplotlib import font_manager

        files = font_files()
        for path in files:
            font_manager.fontManager.addfont(str(path))
        _family = font_manager.FontProperties(fname=str(files[0])).get_name()
    return _family


def warm_up() -> None:
    """Import matplotlib and register the font now (about a second, once per process), so the
    first picture a user asks for is not the one that pays for it."""
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401

    with _lock:
        _korean_family()


def figure(layout: Layout) -> Figure:
    """The matplotlib figure of ``layout`` (not yet rendered)."""
    from matplotlib.figure import Figure

    family = _korean_family()
    if isinstance(layout, Timeline):
        height, draw = _timeline_height(layout), _draw_timeline
    elif isinstance(layout, Campus):
        height, draw = _campus_height(layout), _draw_campus
    elif isinstance(layout, MonthCalendar):
        height, draw = _month_height(layout), _draw_month
    else:
        raise PictureError(f"not a picture layout: {type(layout).__name__}")
    fig = Figure(figsize=(WIDTH / DPI, height / DPI), dpi=DPI, facecolor="white")
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(height, 0)
    ax.set_axis_off()
    draw(ax, layout, family)  # type: ignore[operator]
    return fig


def render_png(layout: Layout, *, dpi: int = DPI) -> bytes:
    """``layout`` as PNG bytes; 1200 px wide at the default 100 dpi."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    with _lock:  # matplotlib's font cache and text layout are not thread-safe
        fig = figure(layout)
        FigureCanvasAgg(fig)
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=dpi, metadata={"Software": None})
    return out.getvalue()


def text_boxes(layout: Layout) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Every drawn text with its box on the canvas (x0, y0, x1, y1 in pixels at 100 dpi), for
    checking that labels do not overlap."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    with _lock:
        fig = figure(layout)
        canvas = FigureCanvasAgg(fig)
        renderer = canvas.get_renderer()
        boxes = []
        for text in fig.axes[0].texts:
            if not text.get_text().strip():
                continue
            b = text.get_window_extent(renderer)
            boxes.append((text.get_text(), (b.x0, b.y0, b.x1, b.y1)))
    return boxes


def _text(ax: Axes, x: float, y: float, s: str, family: str, size: float = 10, **kw: Any) -> None:
    ax.text(x, y, s, fontsize=size, family=family, color=kw.pop("color", INK), **kw)


def _wrap(text: str, width_em: float) -> list[str]:
    """Break ``text`` at spaces (or anywhere, for one long word) into lines of ``width_em``."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if text_em(candidate) <= width_em:
            line = candidate
            continue
        if line:
            lines.append(line)
        while text_em(word) > width_em:
            cut = max(1, int(width_em))
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines


def _header(ax: Axes, title: str, subtitle: str, family: str) -> None:
    _text(ax, 30, 34, title, family, 17, weight=BOLD, va="baseline")
    _text(ax, 30, 60, subtitle, family, 10, color=MUTED, va="baseline")


# --- timeline --------------------------------------------------------------------------------

PLOT_X0, PLOT_X1 = 270.0, 1170.0  # 900 px for the year: layout.DAYS_PER_EM assumes it
TOP = 104.0  # first row
LEFT_EM = 19.0  # the row titles' column, in ems of the 9-point font
LEVEL_STEP = 34.0
BAND = 24.0


def _slots(levels: set[int]) -> tuple[int, int]:
    above = sum(1 for lv in levels if lv % 2 == 0)
    below = sum(1 for lv in levels if lv % 2 == 1)
    return max(above, 1), max(below, 1)


def _row_height(levels: set[int]) -> float:
    above, below = _slots(levels)
    return max(76.0, BAND + LEVEL_STEP * (above + below) + 12)


def _timeline_height(tl: Timeline) -> float:
    rows = sum(_row_height({m.level for m in r.marks}) for r in tl.rows)
    return TOP + rows + 80


def _draw_timeline(ax: Axes, tl: Timeline, family: str) -> None:
    from matplotlib.patches import Circle, Rectangle

    def px(x: float) -> float:
        return PLOT_X0 + x / tl.days * (PLOT_X1 - PLOT_X0)

    _header(ax, tl.title, tl.subtitle, family)
    bottom = TOP + sum(_row_height({m.level for m in r.marks}) for r in tl.rows)
    for i, (x, name) in enumerate(tl.months):
        end = tl.months[i + 1][0] if i + 1 < len(tl.months) else tl.days
        ax.plot([px(x), px(x)], [TOP - 14, bottom], color=GRID, lw=1, zorder=0)
        _text(ax, (px(x) + px(end)) / 2, TOP - 18, name, family, 9.5, color=MUTED, ha="center")
    y = TOP
    for row in tl.rows:
        height = _row_height({m.level for m in row.marks})
        above, _ = _slots({m.level for m in row.marks})
        centre = y + 6 + LEVEL_STEP * above + BAND / 2
        if row.highlighted:
            ax.add_patch(Rectangle((8, y + 2), WIDTH - 16, height - 4, color=HIGHLIGHT_BAND, zorder=0, lw=0))
        ax.plot([12, WIDTH - 12], [y + height, y + height], color=GRID, lw=0.8, zorder=0)
        star = "★ " if row.highlighted else ""
        _text(ax, 24, centre - 8, star + row.name, family, 10.5, weight=BOLD, va="baseline")
        info = " ".join(p for p in (row.subname, row.detail) if p)
        info_lines = [info] if text_em(info) <= LEFT_EM else [row.subname, row.detail]
        for j, line in enumerate(p for p in info_lines if p):
            _text(ax, 24, centre + 12 + 17 * j, line, family, 9, color=MUTED, va="baseline")
        backdrop = {"facecolor": HIGHLIGHT_BAND if row.highlighted else "white", "edgecolor": "none", "pad": 0.5}
        ax.plot([PLOT_X0, PLOT_X1], [centre, centre], color="#d0d0d0", lw=1.2, zorder=1)
        if not row.marks:
            _text(ax, PLOT_X0 + 8, centre - 6, row.note, family, 9.5, color=MUTED, style="italic", va="bottom")
        for m in row.marks:
            past = m.state == PAST
            color = PAST_FILL if past else EVENT_COLORS.get(m.kind, "#555555")
            if m.is_bar:
                ax.add_patch(Rectangle((px(m.x0), centre - 6), px(m.x1) - px(m.x0), 12, color=color, zorder=3, lw=0))
            else:
                ax.add_patch(Circle((px((m.x0 + m.x1) / 2), centre), 6.5, color=color, zorder=3, lw=0))
            step = LEVEL_STEP * (m.level // 2)
            ink = PAST_INK if past else INK
            weight = BOLD if m.state == CURRENT else "normal"
            label = f"{m.label}\n{m.date_label}"
            above = m.level % 2 == 0
            _text(
                ax,
                px(m.label_x),
                centre - 10 - step if above else centre + 10 + step,
                label,
                family,
                9,
                color=ink,
                ha="center",
                va="bottom" if above else "top",
                linespacing=1.1,
                weight=weight,
                bbox=backdrop,
                zorder=5,
            )
        y += height
    if tl.today_x is not None:
        x = px(tl.today_x)
        ax.plot([x, x], [TOP - 8, bottom + 4], color=TODAY, lw=1.8, zorder=4)
        _text(
            ax,
            x,
            bottom + 8,
            f"오늘 {tl.today.month}. {tl.today.day}.",
            family,
            9.5,
            color=TODAY,
            ha="center",
            va="top",
            weight=BOLD,
        )
    legend_y = bottom + 50
    x = PLOT_X0
    for kind, name in (
        ("application", "원서접수"),
        ("written_exam", "필기시험"),
        ("written_result", "필기 발표"),
        ("personality_test", "인성검사"),
        ("interview", "면접"),
        ("final_result", "최종 발표"),
    ):
        ax.add_patch(Circle((x, legend_y), 5, color=EVENT_COLORS[kind], lw=0))
        _text(ax, x + 10, legend_y, name, family, 9, color=MUTED, va="center")
        x += 20 + text_em(name) * 12.5 + 18
    ax.add_patch(Circle((x, legend_y), 5, color=PAST_FILL, lw=0))
    _text(ax, x + 10, legend_y, "지난 일정", family, 9, color=MUTED, va="center")


# --- campus ----------------------------------------------------------------------------------

FLOOR_H = 46.0
COL_W = 285.0
BOX_W = 200.0
NOTE_EM = 23.0


def _campus_geometry(c: Campus) -> tuple[float, float]:
    """(ground line y, y below the deepest basement)."""
    ground = 100 + FLOOR_H * c.max_above
    return ground, ground + FLOOR_H * c.max_below


def _hanging(text: str) -> list[str]:
    first, *rest = _wrap(text, NOTE_EM)
    return [first, *("   " + line for line in rest)]


def _building_lines(s: BuildingSection) -> list[str]:
    lines = []
    for item in s.items:
        lines += _hanging(f"· {item} (층 미상)")
    if s.notes:
        lines.append("2018년 공사·보수")
    for note in s.notes:
        lines += _hanging(f"· {note}")
    return lines


def _campus_height(c: Campus) -> float:
    _, basement = _campus_geometry(c)
    notes = max((len(_building_lines(s)) for s in c.buildings), default=0)
    unplaced = len(_wrap(" · ".join(c.unplaced), 88)) if c.unplaced else 0
    return basement + 64 + 17 * notes + (30 + 18 * unplaced if unplaced else 0) + 24


def _draw_campus(ax: Axes, c: Campus, family: str) -> None:
    from matplotlib.patches import Rectangle

    _header(ax, c.title, c.subtitle, family)
    ground, basement = _campus_geometry(c)
    left = (WIDTH - COL_W * len(c.buildings)) / 2
    if c.max_below:
        ax.add_patch(Rectangle((12, ground), WIDTH - 24, basement - ground + 10, color="#efe6d8", lw=0, zorder=0))
    ax.plot([12, WIDTH - 12], [ground, ground], color="#8c7b62", lw=2, zorder=2)
    notes_top = basement + 64
    for i, s in enumerate(c.buildings):
        cx = left + COL_W * (i + 0.5)
        x0 = cx - BOX_W / 2
        edge = "#1f5fbf" if s.highlighted else "#555555"
        for f in s.floors:
            top = ground - FLOOR_H * f.level if f.level > 0 else ground - FLOOR_H * (f.level + 1)
            fill = "#ffd27f" if f.highlighted else ("#e9eef5" if f.level > 0 else "#e2d8c6")
            if s.highlighted and not f.highlighted:
                fill = "#d7e6fa" if f.level > 0 else "#d9cdb6"
            ax.add_patch(
                Rectangle(
                    (x0, top),
                    BOX_W,
                    FLOOR_H,
                    facecolor=fill,
                    edgecolor=edge,
                    lw=2.2 if s.highlighted else 1.2,
                    zorder=3,
                )
            )
            _text(
                ax,
                x0 + 10,
                top + FLOOR_H / 2,
                f.label,
                family,
                10,
                va="center",
                weight=BOLD if f.highlighted else "normal",
                zorder=4,
            )
            if f.items:
                item = " · ".join(f.items)
                shown = item if text_em(item) <= 11 else item[:10] + "…"
                _text(ax, x0 + 62, top + FLOOR_H / 2, shown, family, 9, va="center", color=MUTED, zorder=4)
        _text(
            ax,
            cx,
            basement + 14,
            s.name,
            family,
            13,
            ha="center",
            va="top",
            weight=BOLD,
            color="#1f5fbf" if s.highlighted else INK,
        )
        _text(ax, cx, basement + 40, s.floors_text, family, 9.5, ha="center", va="top", color=MUTED)
        for j, line in enumerate(_building_lines(s)):
            heading = not line.startswith((" ", "·"))
            _text(
                ax,
                cx - COL_W / 2 + 18,
                notes_top + 17 * j,
                line,
                family,
                8.5,
                va="top",
                color=INK if heading else MUTED,
                weight=BOLD if heading else "normal",
            )
    if c.unplaced:
        notes = max((len(_building_lines(s)) for s in c.buildings), default=0)
        y = notes_top + 17 * notes + 14
        _text(ax, 30, y, "건물·층 위치가 보고서에 없는 교육·편의시설", family, 10, weight=BOLD, va="top")
        for j, line in enumerate(_wrap(" · ".join(c.unplaced), 88)):
            _text(ax, 30, y + 22 + 18 * j, line, family, 9.5, va="top", color=MUTED)


# --- month -----------------------------------------------------------------------------------

CAL_X0, CAL_X1 = 30.0, 1170.0
CAL_TOP = 112.0
DAY_HEAD = 26.0
LANE_H = 22.0


def _cell_height(cal: MonthCalendar) -> float:
    return max(84.0, DAY_HEAD + LANE_H * cal.lanes + 10)


def _month_height(cal: MonthCalendar) -> float:
    extra = 34 + 18 * len(_wrap(" · ".join(cal.undated), 88)) if cal.undated else 0
    return CAL_TOP + _cell_height(cal) * cal.weeks + 50 + extra


def _draw_month(ax: Axes, cal: MonthCalendar, family: str) -> None:
    from matplotlib.patches import FancyBboxPatch, Rectangle

    _header(ax, cal.title, cal.subtitle, family)
    col_w = (CAL_X1 - CAL_X0) / 7
    cell_h = _cell_height(cal)
    for col, name in enumerate(cal.weekdays):
        color = SUNDAY if col == 0 else SATURDAY if col == 6 else MUTED
        _text(ax, CAL_X0 + col_w * (col + 0.5), CAL_TOP - 12, name, family, 10.5, ha="center", color=color, weight=BOLD)
    for d in cal.days:
        x, y = CAL_X0 + col_w * d.col, CAL_TOP + cell_h * d.week
        fill = "white" if d.in_month else "#f6f6f6"
        ax.add_patch(Rectangle((x, y), col_w, cell_h, facecolor=fill, edgecolor="#cccccc", lw=0.8, zorder=1))
        color = SUNDAY if d.col == 0 else SATURDAY if d.col == 6 else INK
        if not d.in_month or d.past:
            color = FAINT
        if d.is_today:
            ax.add_patch(
                Rectangle((x + 1.5, y + 1.5), col_w - 3, cell_h - 3, fill=False, edgecolor=TODAY, lw=2, zorder=5)
            )
        _text(
            ax,
            x + 8,
            y + 6,
            str(d.date.day),
            family,
            10,
            va="top",
            color=color,
            zorder=6,
            weight=BOLD if d.is_today else "normal",
        )
        if d.is_today:
            _text(
                ax, x + col_w - 8, y + 6, "오늘", family, 8.5, va="top", ha="right", color=TODAY, zorder=6, weight=BOLD
            )
    for seg in cal.segments:
        cohort = cal.cohorts[seg.cohort]
        past = cohort.state == PAST
        fill = PAST_FILL if past else COHORT_COLORS[seg.cohort % len(COHORT_COLORS)]
        x0 = CAL_X0 + col_w * seg.col0 + (0 if seg.continues_before else 4)
        x1 = CAL_X0 + col_w * (seg.col1 + 1) - (0 if seg.continues_after else 4)
        y = CAL_TOP + cell_h * seg.week + DAY_HEAD + LANE_H * cohort.lane
        ax.add_patch(
            FancyBboxPatch(
                (x0, y),
                x1 - x0,
                LANE_H - 4,
                boxstyle="round,pad=0,rounding_size=3",
                facecolor=fill,
                edgecolor="none",
                zorder=3,
            )
        )
        if seg.text:
            _text(
                ax,
                x0 + 6,
                y + (LANE_H - 4) / 2,
                seg.text,
                family,
                8,
                color=PAST_INK if past else INK,
                va="center",
                zorder=4,
            )
    y = CAL_TOP + cell_h * cal.weeks + 18
    if not cal.cohorts:
        _text(ax, CAL_X0, y, "이 달에 날짜가 정해진 기수는 보고서에 없어요.", family, 10, color=MUTED, va="top")
        y += 24
    if cal.undated:
        _text(ax, CAL_X0, y + 6, "날짜 없이 이 달로만 적힌 기수", family, 10, weight=BOLD, va="top")
        for j, line in enumerate(_wrap(" · ".join(cal.undated), 88)):
            _text(ax, CAL_X0, y + 28 + 18 * j, line, family, 9.5, va="top", color=MUTED)
