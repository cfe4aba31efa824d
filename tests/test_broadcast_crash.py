"""``hrdbot run`` as a real process, SIGKILLed in the middle of a broadcast and started again:
the broadcast resumes by itself, every recipient gets the notice, and the duplicates are at most
the deliveries that were claimed (in flight) at the kill, which is at most the window (8).
The rate, checked from the fake Bot API's arrival timestamps, never exceeds the limit, across
the restart too. Also: a broadcast queued with ``hrdbot broadcast`` from another process is
picked up by the running bot, and ``hrdbot broadcasts`` lists the counts."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
from pathlib import Path

from db import broadcasts as bdb
from db import roles
from db.schema import connect
from handlers.broadcast_engine import EngineConfig
from tests.broadcast_helpers import add_users, clock
from tests.fake_bot_api import FakeBotApiProcess

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "5151:BROADCAST-CRASH-TEST"
RECIPIENTS = 450
RATE = 150
STAFF_CHAT = 4242
TEXT = "<b>중요</b> 시설 점검 안내"


def start_bot(db_path: Path, api: FakeBotApiProcess, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "PYTHONPATH": str(ROOT),
        "HRDBOT_BROADCAST_RATE": str(RATE),
        "HRDBOT_BROADCAST_POLL": "0.2",
        "HRDBOT_BROADCAST_PROGRESS": "0.5",
    }
    with open(log, "ab") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot",
                "run",
                "--base-url",
                api.base_url,
                "--db",
                str(db_path),
                "--now",
                "2018-08-21T09:00:00+09:00",
                "--log-level",
                "WARNING",
            ],
            cwd=db_path.parent,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop(bot: subprocess.Popen[bytes]) -> None:
    if bot.poll() is None:
        bot.send_signal(signal.SIGINT)
        try:
            bot.wait(15)
        except subprocess.TimeoutExpired:
            bot.kill()
            bot.wait()


def cli(db_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(db_path), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def notices_per_chat(api: FakeBotApiProcess, text: str = TEXT) -> collections.Counter[int]:
    return collections.Counter(c["params"]["chat_id"] for c in api.sent_messages() if c["params"].get("text") == text)


def test_sigkill_mid_broadcast_then_restart(db_path: Path, tmp_path: Path) -> None:
    db = connect(db_path)
    add_users(db, range(1, RECIPIENTS + 1))
    roles.grant(db, STAFF_CHAT, roles.STAFF, by=None, now=clock().now())  # re-checked at send
    b = bdb.create(
        db,
        text=TEXT,
        now=clock().now(),
        audience="all",
        state=bdb.QUEUED,
        report_chat_id=STAFF_CHAT,
        author_id=STAFF_CHAT,
    )
    log = tmp_path / "bot.log"
    with FakeBotApiProcess(token=TOKEN) as api:
        bot = start_bot(db_path, api, log)
        try:
            api.wait_for(150, timeout=60)  # a third of the way (ok sendMessage calls)
            bot.send_signal(signal.SIGKILL)
            bot.wait(10)
        finally:
            stop(bot)
        claimed_at_kill = bdb.delivery_counts(db, b.id).get(bdb.CLAIMED, 0)
        sent_before = bdb.get(db, b.id).sent
        assert bdb.get(db, b.id).state == bdb.SENDING and sent_before < RECIPIENTS

        bot = start_bot(db_path, api, log)
        try:
            # Progress message, then the final report, in the staff chat.
            seen = 2
            while "마쳤어요" not in api.sent_messages(STAFF_CHAT)[-1]["params"]["text"]:
                api.wait_for(seen, timeout=60, chat_id=STAFF_CHAT)
                seen += 1
            # A broadcast queued from another process is picked up by the running bot.
            before = len(api.sent_messages())
            queued = cli(db_path, "broadcast", "--text", "수험생 안내", "--audience", "수험생")
            assert queued.returncode == 0, queued.stderr
            assert "Queued broadcast #2" in queued.stdout
            examinees = len([u for u in range(1, RECIPIENTS + 1) if u % 5 == 1])
            api.wait_for(before + examinees, timeout=60)
        finally:
            stop(bot)
        stats = api.stats("sendMessage", 1.0, per_chat=False)
        received = notices_per_chat(api)

    b = bdb.get(db, b.id)
    duplicates = sum(n - 1 for n in received.values())
    print(
        f"\nkill after {sent_before} recorded sends; {claimed_at_kill} claimed at the kill; "
        f"{duplicates} duplicate(s); resent {b.resent}; max {stats['max_in_window']} sends "
        f"in any second (limit {RATE})"
    )
    assert set(received) == set(range(1, RECIPIENTS + 1))  # nobody missed
    assert (b.state, b.sent, b.resent) == (bdb.DONE, RECIPIENTS, claimed_at_kill)
    assert duplicates <= claimed_at_kill <= EngineConfig().window
    assert stats["max_in_window"] <= RATE
    assert "Traceback" not in log.read_text()

    listing = cli(db_path, "broadcasts")
    assert listing.returncode == 0
    assert "done      all" in listing.stdout and f"{RECIPIENTS:>7}" in listing.stdout
