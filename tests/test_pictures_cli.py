"""`hrdbot image exams|campus|month`: the PNG files, the default names, and bad arguments."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

import bot
from db import pictures as pdb
from db.schema import connect
from pictures.service import png_size

ROOT = Path(__file__).resolve().parent.parent


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = bot.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("args", "caption"),
    [
        (["exams", "--today", "2018-07-01"], "필기 발표 8. 22."),
        (["campus"], "부지 14필지"),
        (["month", "--month", "2018-07", "--today", "2018-07-01"], "신임자 과정 제8기"),
    ],
)
def test_image_writes_a_wide_png(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], caption: str
) -> None:
    out = tmp_path / "picture.png"
    code, printed, err = run(capsys, "image", *args, "--out", str(out), "--db", str(db_path))
    assert (code, err) == (0, "")
    width, height = png_size(out.read_bytes())
    assert width >= 800 and height > 300
    assert f"Wrote {out} ({width}x{height} px)" in printed and caption in printed


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["exams", "--today", "2018-07-01"], "hrdbot-exams-2018-07-01.png"),
        (["campus"], "hrdbot-campus.png"),
        (["month", "--today", "2018-11-02"], "hrdbot-month-2018-11.png"),
    ],
)
def test_default_file_name_in_the_current_folder(
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    name: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, _ = run(capsys, "image", *args, "--db", str(db_path))
    assert code == 0 and png_size((tmp_path / name).read_bytes())[0] >= 800


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["weather"], "알 수 없는 그림이에요: 'weather'"),
        (["EXAMS"], "알 수 없는 그림이에요"),
        (["month", "--month", "2018-13"], "--month '2018-13': 올바른 달이 아니에요"),
        (["month", "--month", "2018-7"], "YYYY-MM 형식"),
        (["month", "--month", "July"], "올바른 달이 아니에요"),
        (["month", "--month", ""], "올바른 달이 아니에요"),
        (["exams", "--month", "2018-07"], "--month 옵션은 month 그림에만"),
        (["campus", "--out", "{tmp}"], "폴더예요"),
        (["campus", "--out", "{tmp}/missing/x.png"], "폴더가 없어요"),
        (["campus", "--out", "{tmp}/file.txt/x.png"], "폴더가 없어요"),
    ],
)
def test_bad_arguments_exit_2_with_a_korean_message(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    (tmp_path / "file.txt").write_text("x")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = run(capsys, "image", *args, "--db", str(db_path))
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("bad", ["2018-02-30", "어제", "2018/07/01"])
def test_bad_today_exits_2(db_path: Path, capsys: pytest.CaptureFixture[str], bad: str) -> None:
    with pytest.raises(SystemExit) as exc:
        bot.main(["image", "exams", "--today", bad, "--db", str(db_path)])
    assert exc.value.code == 2


def test_an_unwritable_out_file_exits_2(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # /dev/full accepts the open and fails the write (ENOSPC), even for root
    code, _, err = run(capsys, "image", "campus", "--out", "/dev/full", "--db", str(db_path))
    assert code == 2 and "파일을 쓸 수 없어요" in err


def test_ask_does_not_load_matplotlib(db_path: Path) -> None:
    """`hrdbot ask` starts as fast as before: the pictures' libraries are never imported."""
    code = (
        "import sys, bot; bot.main(['ask', '배움관 몇 층이에요?', '--db', sys.argv[1]]); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('matplotlib', 'PIL', 'numpy', 'pictures')))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(db_path)], capture_output=True, text=True, cwd=ROOT, timeout=60, check=True
    )
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_file_ids_are_kept_replaced_and_forgotten(db_path: Path) -> None:
    db = connect(db_path)
    now = dt.datetime(2018, 7, 1, 9, 0, tzinfo=dt.UTC)
    assert pdb.file_id(db, "k") is None
    pdb.remember(db, "k", "first", now)
    pdb.remember(db, "k", "second", now)
    assert pdb.file_id(db, "k") == "second"
    pdb.forget(db, "k")
    assert pdb.file_id(db, "k") is None
    db.close()
