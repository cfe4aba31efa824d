"""Broadcast wording and parsing, pure: Korean texts for staff and users, schedule times,
notice HTML checks. Used by the Telegram handlers, the engine and the command line."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from db import broadcasts as bdb
from db.roles import Grant
from knowledge.text import WEEKDAYS

SEOUL = ZoneInfo("Asia/Seoul")
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
NEUTRAL_DENIAL = "모르는 명령이에요. /help 로 명령 목록을 볼 수 있어요."


class WhenError(ValueError):
    """A schedule time that cannot be read or is not in the future."""


class NoticeTextError(ValueError):
    """Notice text that Telegram would refuse (too long, bad HTML)."""


# --- schedule times --------------------------------------------------------------------------

_DAY_WORDS = {"오늘": 0, "내일": 1, "모레": 2}
_TIME_RE = re.compile(
    r"^(?:(?P<ampm>오전|오후)\s*)?(?:(?P<h1>\d{1,2}):(?P<m1>\d{2})|(?P<h2>\d{1,2})\s*시"
    r"(?:\s*(?P<m2>\d{1,2})\s*분|\s*(?P<half>반))?)$")
_KDATE_RE = re.compile(r"^(?:(?P<y>\d{4})\s*년\s*)?(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일$")
WHEN_EXAMPLES = "예: 내일 09:00, 오늘 오후 3시, 8월 22일 14:30, 2018-08-22 09:00"


def _parse_time(part: str) -> dt.time:
    m = _TIME_RE.match(part.strip())
    if not m:
        raise WhenError(f"시각을 읽을 수 없어요: {part!r}. {WHEN_EXAMPLES}")
    hour = int(m["h1"] or m["h2"])
    minute = int(m["m1"] or m["m2"] or (30 if m["half"] else 0))
    if m["ampm"] == "오후" and hour < 12:
        hour += 12
    elif m["ampm"] == "오전" and hour == 12:
        hour = 0
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise WhenError(f"없는 시각이에요: {part!r}. {WHEN_EXAMPLES}")
    return dt.time(hour, minute)


def _parse_day(part: str, today: dt.date) -> dt.date:
    part = part.strip()
    if part in _DAY_WORDS:
        return today + dt.timedelta(days=_DAY_WORDS[part])
    try:
        return dt.date.fromisoformat(part)
    except ValueError:
        pass
    m = _KDATE_RE.match(part)
    if m:
        year = int(m["y"]) if m["y"] else today.year
        try:
            day = dt.date(year, int(m["m"]), int(m["d"]))
        except ValueError:
            raise WhenError(f"없는 날짜예요: {part!r}. {WHEN_EXAMPLES}") from None
        if not m["y"] and day < today:
            day = day.replace(year=year + 1)
        return day
    raise WhenError(f"날짜를 읽을 수 없어요: {part!r}. {WHEN_EXAMPLES}")


def parse_when(value: str, now: dt.datetime) -> dt.datetime:
    """A future instant in Asia/Seoul from staff wording ("내일 09:00", "2018-08-22 14:30",
    ISO 8601 with an offset, or a time alone meaning today). Raises WhenError."""
    raw = " ".join((value or "").split())
    if not raw:
        raise WhenError(f"보낼 시각을 적어 주세요. {WHEN_EXAMPLES}")
    now = now.astimezone(SEOUL)
    when: dt.datetime | None = None
    try:
        iso = dt.datetime.fromisoformat(raw)
    except ValueError:
        iso = None
    if iso is not None and ("T" in raw or " " in raw or iso.tzinfo is not None):
        when = iso if iso.tzinfo else iso.replace(tzinfo=SEOUL)
    if when is None:
        day_text, time_text = "", raw
        match = re.match(r"^(오늘|내일|모레|\d{4}-\d{2}-\d{2}|(?:\d{4}\s*년\s*)?\d{1,2}\s*월\s*"
                         r"\d{1,2}\s*일)\s*(.*)$", raw)
        if match:
            day_text, time_text = match.group(1), match.group(2)
        if not time_text:
            raise WhenError(f"시각도 적어 주세요: {raw!r}. {WHEN_EXAMPLES}")
        day = _parse_day(day_text, now.date()) if day_text else now.date()
        when = dt.datetime.combine(day, _parse_time(time_text), tzinfo=SEOUL)
    when = when.astimezone(SEOUL)
    if when <= now:
        raise WhenError(f"이미 지난 시각이에요: {kdatetime(when)} (지금 {kdatetime(now)}). "
                        f"{WHEN_EXAMPLES}")
    if when - now > dt.timedelta(days=366):
        raise WhenError(f"1년 안의 시각만 예약할 수 있어요: {kdatetime(when)}")
    return when


def kdatetime(at: dt.datetime | str) -> str:
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at)
    at = at.astimezone(SEOUL)
    return (f"{at.year}년 {at.month}월 {at.day}일({WEEKDAYS[at.weekday()]}) "
            f"{at.hour:02d}:{at.minute:02d}")


# --- notice text -----------------------------------------------------------------------------

# The tags Telegram's HTML parse mode accepts.
_ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                 "tg-spoiler", "span", "blockquote", "tg-emoji"}


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.visible: list[str] = []
        self.problem: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS:
            self.problem = self.problem or f"허용되지 않는 태그 <{tag}>"
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problem = self.problem or f"짝이 맞지 않는 </{tag}>"
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.visible.append(data)


def check_notice(notice_html: str, *, caption: bool = False) -> str:
    """Return ``notice_html`` if Telegram will accept it (tags, nesting, length), else raise
    NoticeTextError saying what to fix."""
    checker = _Checker()
    checker.feed(notice_html)
    checker.close()
    if checker.problem is None and checker.stack:
        checker.problem = f"닫히지 않은 <{checker.stack[-1]}>"
    if checker.problem:
        raise NoticeTextError(f"공지 HTML 에 문제가 있어요: {checker.problem}. 쓸 수 있는 태그: "
                              "<b> <i> <u> <s> <a href> <code> <pre> <blockquote>")
    visible = "".join(checker.visible)
    if not visible.strip():
        raise NoticeTextError("공지 내용이 비어 있어요.")
    limit = CAPTION_LIMIT if caption else MESSAGE_LIMIT
    if len(visible) > limit:
        what = "사진·파일 설명은" if caption else "공지는"
        raise NoticeTextError(f"{what} {limit:,}자까지 보낼 수 있어요 (지금 {len(visible):,}자).")
    return notice_html


def plain_to_html(value: str) -> str:
    return html.escape(value, quote=False)


# --- staff texts -----------------------------------------------------------------------------

ASK_NOTICE = ("<b>📣 공지 보내기</b>\n보낼 공지를 입력해 주세요. 굵게·기울임 같은 서식을 쓸 수 있고, "
              "사진이나 파일에 설명을 붙여 보낼 수도 있어요.\n그만두려면 /cancel 을 보내 주세요.")
ASK_AUDIENCE = "<b>누구에게 보낼까요?</b>"
ASK_WHEN = (f"<b>언제 보낼까요?</b>\n{WHEN_EXAMPLES} (서울 시각)\n"
            "그만두려면 /cancel 을 보내 주세요.")
CANCELLED = "공지 보내기를 취소했어요."
PRIVATE_ONLY = "공지는 봇과의 개인 대화에서 /broadcast 로 보내 주세요."
STALE = "이 공지는 이미 처리되었어요. /broadcast_status 로 상태를 볼 수 있어요."
BAD_BUTTON = "알 수 없는 버튼이에요. /broadcast 로 다시 시작해 주세요."
NO_NOTICES = "아직 받은 공지가 없어요."


def preview_summary(b: bdb.Broadcast, count: int) -> str:
    media = {"photo": " · 사진 포함", "document": " · 파일 포함"}.get(
        b.media.kind if b.media else "", "")
    return (f"<b>📣 공지 #{b.id} 미리보기</b> (위 메시지가 받는 분들께 그대로 보여요)\n"
            f"대상: <b>{html.escape(bdb.audience_label(b.audience))}</b> · "
            f"<b>{count:,}명</b>{media}\n지금 보낼까요, 예약할까요?")


def queued(b: bdb.Broadcast, count: int | None = None) -> str:
    who = html.escape(bdb.audience_label(b.audience))
    size = f" ({count:,}명)" if count is not None else ""
    if b.scheduled_at:
        return (f"⏰ 공지 #{b.id} 을(를) <b>{kdatetime(b.scheduled_at)}</b>에 {who}{size}에게 "
                "보내도록 예약했어요. /broadcast_status 로 확인할 수 있어요.")
    return (f"🚀 공지 #{b.id} 을(를) {who}{size}에게 보내기 시작해요. "
            "진행 상황을 이 대화에 알려 드릴게요.")


def _duration(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}시간 {minutes}분"
    if minutes:
        return f"{minutes}분 {seconds}초"
    return f"{seconds}초"


def counts_line(b: bdb.Broadcast) -> str:
    return (f"보냄 {b.sent:,} · 차단 {b.blocked:,} · 실패 {b.failed:,} · "
            f"남음 {b.remaining:,} / 전체 {b.total:,}")


def progress(b: bdb.Broadcast, rate: float, eta: dt.timedelta | None) -> str:
    """The progress message, edited every few seconds while sending."""
    head = {bdb.SENDING: "📣 공지 발송 중", bdb.DONE: "✅ 공지 발송 완료",
            bdb.CANCELLED: "⛔ 공지 발송 취소됨"}.get(b.state, "📣 공지")
    lines = [f"<b>{head} #{b.id}</b>", counts_line(b)]
    if b.state == bdb.SENDING:
        speed = f"속도 {rate:.1f}건/초" if rate > 0 else "속도 측정 중"
        lines.append(f"{speed} · 남은 시간 {'약 ' + _duration(eta) if eta else '계산 중'}")
    return "\n".join(lines)


def report(b: bdb.Broadcast) -> str:
    """The final report to the staff member who sent it."""
    head = "✅ 공지 발송을 마쳤어요" if b.state == bdb.DONE else "⛔ 공지 발송을 멈췄어요"
    lines = [f"<b>{head} (#{b.id})</b>",
             f"대상: {html.escape(bdb.audience_label(b.audience))}",
             counts_line(b)]
    if b.started_at and b.finished_at:
        took = dt.datetime.fromisoformat(b.finished_at) - dt.datetime.fromisoformat(b.started_at)
        lines.append(f"걸린 시간: {_duration(took)}")
    if b.blocked:
        lines.append(f"봇을 차단한 {b.blocked:,}명은 앞으로 공지 대상에서 빠져요.")
    if b.resent:
        lines.append(f"재시작 때문에 {b.resent:,}건은 다시 보냈어요 (일부는 두 번 받았을 수 있어요).")
    return "\n".join(lines)


def status(items: Sequence[bdb.Broadcast]) -> str:
    if not items:
        return "보낸 공지나 예약된 공지가 없어요."
    lines = ["<b>📣 공지 발송 현황</b>"]
    for b in items:
        when = f" · 예약 {kdatetime(b.scheduled_at)}" if b.scheduled_at and b.state == bdb.QUEUED \
            else ""
        lines.append(f"\n<b>#{b.id}</b> {bdb.state_label(b.state)} · "
                     f"{html.escape(bdb.audience_label(b.audience))}{when}")
        lines.append(f"  {html.escape(shorten(b.text, 40))}")
        if b.state not in (bdb.DRAFT, bdb.QUEUED):
            lines.append(f"  {counts_line(b)}")
    return "\n".join(lines)


def shorten(value: str, width: int) -> str:
    plain = re.sub(r"<[^>]+>", "", value).replace("\n", " ")
    plain = html.unescape(plain)
    return plain if len(plain) <= width else plain[: width - 1] + "…"


def notices(items: Sequence[bdb.Notice]) -> list[str]:
    """Recent notices for /notices, one message each (newest first)."""
    if not items:
        return [NO_NOTICES]
    out = [f"<b>📌 최근 공지 {len(items)}건</b>"]
    out += [f"<i>{kdatetime(n.created_at)}</i>\n{n.text}" for n in items]
    return out


def granted(user_id: int, role: str, changed: bool) -> str:
    return (f"사용자 {user_id} 에게 {role} 권한을 주었어요." if changed
            else f"사용자 {user_id} 은(는) 이미 {role} 권한이 있어요.")


def revoked(user_id: int, role: str, changed: bool) -> str:
    return (f"사용자 {user_id} 의 {role} 권한을 거두었어요." if changed
            else f"사용자 {user_id} 에게는 {role} 권한이 없어요.")


def grants_list(items: Sequence[Grant], admins: Sequence[int]) -> str:
    lines = ["<b>권한 목록</b>"]
    lines += [f"• {a} — admin (HRDBOT_ADMINS)" for a in sorted(admins)]
    lines += [f"• {g.user_id} — {g.role} ({g.granted_at[:10]})" for g in items]
    return "\n".join(lines)


GRANT_USAGE = "사용법: /grant 사용자id [staff|admin]  (예: /grant 123456789)"
REVOKE_USAGE = "사용법: /revoke 사용자id [staff|admin]"
