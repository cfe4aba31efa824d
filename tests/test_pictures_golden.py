"""One golden image per picture, compared with a tolerance.

The pictures are rendered at 50 dpi (600 px wide) from the shipped knowledge and a fixed date and
compared with ``tests/golden/*.png`` by mean absolute pixel difference, so a different FreeType
or matplotlib patch release passes while a moved bar, a lost label or missing Korean glyphs fail.

After an intended change of the pictures, regenerate the golden files and look at them:

    .venv/bin/python -m tests.test_pictures_golden
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat
from sqlite_utils import Database

from pictures import service
from pictures.draw import render_png

GOLDEN = Path(__file__).parent / "golden"
DPI = 50
TOLERANCE = 0.3  # mean absolute difference per channel, 0-255 (mostly white pictures: small)
TODAY = dt.date(2018, 7, 1)

PICTURES: dict[str, Callable[[Database], service.Request]] = {
    "exams": lambda db: service.exams_request(db, TODAY, highlight={"second"}),
    "campus": lambda db: service.campus_request(db, building="baeum", floor=2),
    "month": lambda db: service.month_request(db, "2018-07", TODAY),
}


def render(db: Database, name: str) -> bytes:
    return render_png(PICTURES[name](db).layout, dpi=DPI)


def difference(png: bytes, golden: Path) -> float:
    """Mean absolute difference of two images of the same size (inf when sizes differ)."""
    a = Image.open(io.BytesIO(png)).convert("RGB")
    b = Image.open(golden).convert("RGB")
    if a.size != b.size:
        return float("inf")
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


@pytest.mark.parametrize("name", sorted(PICTURES))
def test_picture_matches_its_golden_image(db: Database, name: str) -> None:
    golden = GOLDEN / f"{name}.png"
    assert golden.is_file(), f"missing {golden}; run: python -m tests.test_pictures_golden"
    assert difference(render(db, name), golden) < TOLERANCE


def test_the_comparison_notices_a_different_picture(db: Database) -> None:
    """Another day's timeline (today's line and the greyed events move) is not the golden one."""
    later = service.exams_request(db, dt.date(2018, 11, 20), highlight={"second"})
    other = render_png(later.layout, dpi=DPI)
    assert difference(other, GOLDEN / "exams.png") > TOLERANCE


def main() -> int:
    from knowledge.store import open_database

    GOLDEN.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "golden.db")
        for name in sorted(PICTURES):
            path = GOLDEN / f"{name}.png"
            path.write_bytes(render(db, name))
            print(f"wrote {path}")
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
