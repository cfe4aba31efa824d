"""The staff console in a real browser: headless Chromium driven by Selenium against a real
`hrdbot console` process on a real SQLite file and a copy of the knowledge files.

Every page visited is saved as a screenshot under ``tests/artifacts/console/``. The tests need
Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them); without them they are
skipped with that reason.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from knowledge.loader import DATA_DIR
from knowledge.store import load_directory

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts" / "console"
CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
TODAY = "2018-07-01"
DECLINED = "뉴비과정 언제 시작해요?"
DATE_QUESTION = "2차 필기 합격자 발표 언제예요?"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1100",
    "--lang=ko-KR",
)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="chromium and chromium-driver are not installed "
    "(apt-get install -y chromium chromium-driver; .ci/run does this)",
)


def cli(*args: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args], capture_output=True, text=True, timeout=120, check=True
    )
    return proc.stdout


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Console:
    def __init__(self, root: Path) -> None:
        self.dir = root / "data"
        shutil.copytree(DATA_DIR, self.dir)
        self.db = root / "hrdbot.db"
        load_directory(self.db, self.dir)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "bot.py"),
                "console",
                "--db",
                str(self.db),
                "--port",
                str(self.port),
                "--knowledge-dir",
                str(self.dir),
                "--today",
                TODAY,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline()
        assert line.startswith("hrdbot console: open "), (line, self.proc.stderr.read())
        self.login_url = line.split()[3]

    def ask(self, question: str) -> dict[str, Any]:
        return json.loads(cli("ask", "--db", str(self.db), "--today", TODAY, "--json", question))

    def fingerprint(self) -> tuple[str, str]:
        yaml_hash = hashlib.sha256((self.dir / "exams.yaml").read_bytes()).hexdigest()
        conn = sqlite3.connect(self.db)
        try:
            dump = hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
        finally:
            conn.close()
        return yaml_hash, dump

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    c = Console(tmp_path_factory.mktemp("console"))
    yield c
    c.stop()


def chrome(profile: Path) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(30)
    return driver


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with tempfile.TemporaryDirectory(prefix="hrdbot-chromium-") as profile:
        driver = chrome(Path(profile))
        yield driver
        driver.quit()


def shot(driver: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(1280, max(800, min(int(height) + 40, 4000)))
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def wait_for(driver: Any, css: str) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 20).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def set_value(driver: Any, element_id: str, value: str) -> None:
    """Type into a form field (date inputs are set as the date picker sets them)."""
    from selenium.webdriver.common.by import By

    el = driver.find_element(By.ID, element_id)
    driver.execute_script(
        "arguments[0].value = arguments[1];arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", el, value
    )


def click(driver: Any, css: str) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, css).click()


# The tests below run in order on one console and one signed-in browser.


def test_without_a_session_nothing_is_served(console: Console, browser: Any) -> None:
    browser.get(console.base + "/unanswered")
    assert "로그인이 필요해요" in browser.page_source
    assert DECLINED not in browser.page_source
    shot(browser, "00-not-signed-in")


def test_sign_in_shows_the_dashboard(console: Console, browser: Any) -> None:
    console.ask(DECLINED)  # a user question the bot declines
    browser.get(console.login_url)
    wait_for(browser, "svg.chart")
    assert browser.current_url == console.base + "/"
    cookie = browser.get_cookie("hrdbot_console")
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict" and "expiry" in cookie
    shot(browser, "01-dashboard")


def test_adding_an_alias_from_unanswered_answers_the_question(console: Console, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    assert console.ask(DECLINED)["intent"] is None
    browser.get(console.base + "/unanswered")
    row = next(r for r in browser.find_elements(By.CSS_SELECTOR, "tr.group") if DECLINED in r.text)
    shot(browser, "02-unanswered")
    row.find_element(By.CSS_SELECTOR, "a.button").click()
    wait_for(browser, "#alias-form")
    phrase = browser.find_element(By.ID, "phrase")
    phrase.clear()
    phrase.send_keys("뉴비과정")
    select = Select(browser.find_element(By.ID, "target"))
    option = next(o for o in select.options if "newcomer " in o.text)
    select.select_by_value(option.get_attribute("value"))
    shot(browser, "03-alias-form")
    click(browser, "#add-alias")
    answer = wait_for(browser, "#new-answer").text
    assert "신임자" in answer
    shot(browser, "04-alias-added")
    assert console.ask(DECLINED)["intent"] is not None


def _open_record(console: Console, browser: Any, record_id: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(console.base + "/knowledge")
    assert "exams.yaml" in browser.page_source and "programs.yaml" in browser.page_source
    browser.find_element(By.XPATH, "//details[.//b[text()='exams.yaml']]/summary").click()
    browser.find_element(By.LINK_TEXT, record_id).click()
    wait_for(browser, "#record-form")


def test_a_bad_exam_date_is_shown_by_its_field_and_changes_nothing(console: Console, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    browser.get(console.base + "/knowledge")
    shot(browser, "05-knowledge")
    before = console.fingerprint()
    _open_record(console, browser, "second-interview")
    set_value(browser, "in-end", "2018-10-01")  # before its start, 2018-10-15
    click(browser, "#preview")
    error = wait_for(browser, "#field-end .field-error").text
    assert "ends (2018-10-01) before it starts (2018-10-15)" in error
    assert not browser.find_elements(By.ID, "save")
    shot(browser, "06-knowledge-bad-date")
    assert console.fingerprint() == before


def test_a_good_exam_date_changes_the_answer_and_the_reminder_plan(console: Console, browser: Any) -> None:
    def plan(day: str) -> list[str]:
        out = json.loads(cli("reminders", "--db", str(console.db), "--date", day, "--all-topics", "--json"))
        return [r["ref"] for r in out["reminders"]]

    assert "8월 22일" in console.ask(DATE_QUESTION)["reply"]
    assert "event:second-written-result" in plan("2018-08-22")
    _open_record(console, browser, "second-written-result")
    set_value(browser, "in-start", "2018-08-29")
    click(browser, "#preview")
    diff = wait_for(browser, "#diff").text
    assert "-    start: 2018-08-22" in diff and "+    start: 2018-08-29" in diff
    shot(browser, "07-knowledge-diff")
    click(browser, "#save")
    wait_for(browser, "#saved")
    shot(browser, "08-knowledge-saved")
    assert "8월 29일" in console.ask(DATE_QUESTION)["reply"]
    assert "event:second-written-result" in plan("2018-08-29")
    assert "event:second-written-result" not in plan("2018-08-22")


def test_composing_a_notice_previews_and_queues_it(console: Console, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(console.base + "/broadcasts")
    text = browser.find_element(By.ID, "text")
    text.send_keys("8월 교육 일정이 바뀌었어요. <꼭> 확인해 주세요.")
    Select(browser.find_element(By.ID, "audience")).select_by_value("all")
    click(browser, "#bc-preview")
    preview = wait_for(browser, "#preview-count")
    assert "<꼭>" in browser.find_element(By.ID, "tg-preview").text and preview.text
    shot(browser, "09-broadcast-preview")
    click(browser, "#bc-send")
    assert "공지 #1" in wait_for(browser, "#queued").text
    shot(browser, "10-broadcasts")
    [b] = json.loads(cli("broadcasts", "--db", str(console.db), "--json"))
    assert b["state"] == "queued" and b["audience"] == "all" and "&lt;꼭&gt;" in b["text"]


def test_the_other_pages_render(console: Console, browser: Any) -> None:
    for path, name, css in (
        ("/reminders?date=2018-08-29&all_topics=1", "11-reminders", "#plan"),
        ("/audit", "12-audit", "#audit"),
        ("/roles", "13-roles", "#grants"),
        ("/broadcasts/1", "14-broadcast-report", "#report"),
    ):
        browser.get(console.base + path)
        wait_for(browser, css)
        shot(browser, name)
    browser.get(console.base + "/audit")
    assert "console.alias" in browser.page_source and "console.broadcast" in browser.page_source


def test_a_second_browser_without_a_session_is_refused(console: Console) -> None:
    with tempfile.TemporaryDirectory(prefix="hrdbot-chromium-") as profile:
        other = chrome(Path(profile))
        try:
            other.get(console.base + "/unanswered")
            assert "로그인이 필요해요" in other.page_source
            other.get(console.login_url)  # already used by the first browser
            assert "이미 쓰였거나 만료" in other.page_source
            other.get(console.base + "/knowledge")
            assert "로그인이 필요해요" in other.page_source
            shot(other, "15-second-browser-refused")
        finally:
            other.quit()
