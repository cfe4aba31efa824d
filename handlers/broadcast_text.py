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
from db.roles import Grant, Invite
from db.users import AUDIENCES, User
from knowledge.text import WEEKDAYS, josa

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
    r"(?:\s*(?P<m2>\d{1,2})\s*분|\s*(?P<half>반))?)$"
)
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
        match = re.match(
            r"^(오늘|내일|모레|\d{4}-\d{2}-\d{2}|(?:\d{4}\s*년\s*)?\d{1,2}\s*월\s*"
            r"\d{1,2}\s*일)\s*(.*)$",
            raw,
        )
        if match:
            day_text, time_text = match.group(1), match.group(2)
        if not time_text:
            raise WhenError(f"시각도 적어 주세요: {raw!r}. {WHEN_EXAMPLES}")
        day = _parse_day(day_text, now.date()) if day_text else now.date()
        when = dt.datetime.combine(day, _parse_time(time_text), tzinfo=SEOUL)
    when = when.astimezone(SEOUL)
    if when <= now:
        raise WhenError(f"이미 지난 시각이에요: {kdatetime(when)} (지금 {kdatetime(now)}). {WHEN_EXAMPLES}")
    if when - now > dt.timedelta(days=366):
        raise WhenError(f"1년 안의 시각만 예약할 수 있어요: {kdatetime(when)}")
    return when


def kdatetime(at: dt.datetime | str) -> str:
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at)
    at = at.astimezone(SEOUL)
    return f"{at.year}년 {at.month}월 {at.day}일({WEEKDAYS[at.weekday()]}) {at.hour:02d}:{at.minute:02d}"


# --- notice text -----------------------------------------------------------------------------

# The tags Telegram's HTML parse mode accepts.
_ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
    "tg-emoji",
}


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
        raise NoticeTextError(
            f"공지 HTML 에 문제가 있어요: {checker.problem}. 쓸 수 있는 태그: "
            "<b> <i> <u> <s> <a href> <code> <pre> <blockquote>"
        )
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

DRAFT_MINUTES = int(bdb.DRAFT_TTL.total_seconds() // 60)
_HOW_TO_STOP = (
    "그만두려면 <b>취소</b>라고 답장하거나 /cancel 을 보내 주세요. "
    f"{DRAFT_MINUTES}분 동안 답이 없으면 초안은 저절로 취소돼요."
)


def ask_notice(b: bdb.Broadcast, replaced: Sequence[int] = ()) -> str:
    """The first prompt (sent with ForceReply: only a reply to it becomes the notice)."""
    head = f"<b>📣 공지 보내기 (초안 #{b.id})</b>\n"
    if replaced:
        ids = ", ".join(f"#{i}" for i in replaced)
        head += f"(작성 중이던 초안 {josa(ids, '은는')} 취소했어요.)\n"
    return (
        head + "보낼 공지를 <b>이 메시지에 답장으로</b> 보내 주세요. 굵게·기울임 같은 서식을 쓸 "
        "수 있고, 사진이나 파일에 설명을 붙여 보낼 수도 있어요. 답장이 아닌 메시지는 "
        f"평소처럼 질문으로 받아요.\n{_HOW_TO_STOP}"
    )


ASK_AUDIENCE = (
    "<b>누구에게 보낼까요?</b>\n🔒 <b>인증 직원</b>은 직원이 인증했거나 초대 링크로 "
    "가입한 사람과 직원·관리자예요. 직원·수험생·학부모는 사용자가 /start 에서 "
    "<b>스스로 고른 것</b>이라 확인되지 않았어요: 내부 공지는 인증 직원에게 보내 주세요."
)
ASK_WHEN = f"<b>언제 보낼까요?</b> 이 메시지에 답장으로 적어 주세요.\n{WHEN_EXAMPLES} (서울 시각)\n{_HOW_TO_STOP}"
CANCELLED = "공지 보내기를 취소했어요."
NOT_YOURS = "다른 직원이 작성 중인 공지예요. 작성한 분만 이어서 쓸 수 있어요."
DRAFT_GONE = "이 공지 초안은 이미 끝났거나 만료되었어요. /broadcast 로 새로 시작해 주세요."
NO_LONGER_STAFF = "직원 권한이 없어 공지 작성을 이어갈 수 없어요. 작성 중이던 초안은 취소했어요."
STAFF_IN_PRIVATE = "직원 메뉴와 권한 목록은 1:1 대화에서만 보여 드려요. 아래 버튼으로 이어서 해 주세요."
WHOAMI_IN_PRIVATE = "내 정보(id·권한)는 1:1 대화에서만 보여 드려요. 아래 버튼을 눌러 주세요."
PRIVATE_ONLY = "공지는 봇과의 개인 대화에서 /broadcast 로 보내 주세요."
STALE = "이 공지는 이미 처리되었어요. /broadcast_status 로 상태를 볼 수 있어요."
BAD_BUTTON = "알 수 없는 버튼이에요. /broadcast 로 다시 시작해 주세요."
NO_NOTICES = "아직 받은 공지가 없어요."


def preview_summary(b: bdb.Broadcast, count: int) -> str:
    media = {"photo": " · 사진 포함", "document": " · 파일 포함"}.get(b.media.kind if b.media else "", "")
    return (
        f"<b>📣 공지 #{b.id} 미리보기</b> (위 메시지가 받는 분들께 그대로 보여요)\n"
        f"대상: <b>{html.escape(bdb.audience_label(b.audience))}</b> · "
        f"<b>{count:,}명</b>{media}\n지금 보낼까요, 예약할까요?"
    )


def audience_button(code: str, count: int) -> str:
    """A choice on the audience keyboard; self-declared audiences say so."""
    label = bdb.audience_label(code)
    if code in bdb.SELF_DECLARED:
        return f"{label} · 자기 선택 ({count:,}명)"
    return f"{label} ({count:,}명)"


def queued(b: bdb.Broadcast, count: int | None = None) -> str:
    who = html.escape(bdb.audience_label(b.audience))
    size = f" ({count:,}명)" if count is not None else ""
    notice = josa(f"공지 #{b.id}", "을를")
    if b.scheduled_at:
        return (
            f"⏰ {notice} <b>{kdatetime(b.scheduled_at)}</b>에 {who}{size}에게 "
            "보내도록 예약했어요. 보낼 때 작성자의 직원 권한을 다시 확인해요. "
            "/broadcast_status 로 확인할 수 있어요."
        )
    return f"🚀 {notice} {who}{size}에게 보내기 시작해요. 진행 상황을 이 대화에 알려 드릴게요."


def draft_expired(b: bdb.Broadcast) -> str:
    return f"⌛ 공지 초안 #{b.id}에 {DRAFT_MINUTES}분 동안 답이 없어 취소했어요. 다시 쓰려면 /broadcast 를 보내 주세요."


def author_revoked(b: bdb.Broadcast) -> str:
    return (
        f"⛔ {josa(f'공지 #{b.id}', '은는')} 작성자의 직원 권한이 없어져 보내지 않고 "
        "취소했어요. 필요하면 다른 직원이 /broadcast 로 다시 보내 주세요."
    )


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
    return f"보냄 {b.sent:,} · 차단 {b.blocked:,} · 실패 {b.failed:,} · 남음 {b.remaining:,} / 전체 {b.total:,}"


def progress(b: bdb.Broadcast, rate: float, eta: dt.timedelta | None) -> str:
    """The progress message, edited every few seconds while sending."""
    head = {bdb.SENDING: "📣 공지 발송 중", bdb.DONE: "✅ 공지 발송 완료", bdb.CANCELLED: "⛔ 공지 발송 취소됨"}.get(
        b.state, "📣 공지"
    )
    lines = [f"<b>{head} #{b.id}</b>", counts_line(b)]
    if b.state == bdb.SENDING:
        speed = f"속도 {rate:.1f}건/초" if rate > 0 else "속도 측정 중"
        lines.append(f"{speed} · 남은 시간 {'약 ' + _duration(eta) if eta else '계산 중'}")
    return "\n".join(lines)


def report(b: bdb.Broadcast) -> str:
    """The final report to the staff member who sent it."""
    head = "✅ 공지 발송을 마쳤어요" if b.state == bdb.DONE else "⛔ 공지 발송을 멈췄어요"
    lines = [f"<b>{head} (#{b.id})</b>", f"대상: {html.escape(bdb.audience_label(b.audience))}", counts_line(b)]
    if b.started_at and b.finished_at:
        took = dt.datetime.fromisoformat(b.finished_at) - dt.datetime.fromisoformat(b.started_at)
        lines.append(f"걸린 시간: {_duration(took)}")
    if b.blocked:
        lines.append(f"봇을 차단한 {b.blocked:,}명은 앞으로 공지 대상에서 빠져요.")
    if b.resent:
        lines.append(f"재시작 때문에 {b.resent:,}건은 다시 보냈어요 (일부는 두 번 받았을 수 있어요).")
    return "\n".join(lines)


STATUS_HEAD = "<b>📣 공지 발송 현황</b> (작성 중 · 예약 · 최근)"
NO_STATUS = "작성 중이거나 예약된 공지, 보낸 공지가 없어요."
_NOTES = {
    "expired": "시간 초과로 취소",
    "author_revoked": "작성자 권한 회수로 취소",
    "replaced": "새 초안으로 대체",
    "revoked": "작성자 권한 회수로 취소",
}


def person(user_id: int | None, known: User | None = None) -> str:
    """'이름 (@username, 123)' for staff screens; the command line's notices have no author."""
    if user_id is None:
        return "명령줄"
    if known is None:
        return str(user_id)
    parts = [f"@{known.username}"] if known.username else []
    parts.append(str(user_id))
    name = known.first_name or "이름 없음"
    return f"{html.escape(name)} ({html.escape(', '.join(parts))})"


def status_block(b: bdb.Broadcast, author: str) -> str:
    """One broadcast in /broadcast_status: a few lines that are edited on their own."""
    state = "작성 중" if b.state == bdb.DRAFT else bdb.state_label(b.state)
    when = f" · 예약 {kdatetime(b.scheduled_at)}" if b.scheduled_at and b.state == bdb.QUEUED else ""
    lines = [f"<b>#{b.id}</b> {state} · {html.escape(bdb.audience_label(b.audience))}{when}", f"  작성: {author}"]
    if b.text:
        lines.append(f"  {html.escape(shorten(b.text, 40))}")
    if b.note:
        lines.append(f"  ({_NOTES.get(b.note, html.escape(b.note))})")
    if b.state not in (bdb.DRAFT, bdb.QUEUED):
        lines.append(f"  {counts_line(b)}")
    return "\n".join(lines)


def status_message(blocks: Sequence[str]) -> str:
    return "\n\n".join([STATUS_HEAD, *blocks]) if blocks else NO_STATUS


def status(items: Sequence[bdb.Broadcast]) -> str:
    """The status list without authors' names (the command line)."""
    return status_message([status_block(b, person(b.author_id)) for b in items])


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


ROLE_NAMES = {"admin": "관리자", "staff": "직원", "verified": "인증 직원"}


def role_name(role: str) -> str:
    return f"{ROLE_NAMES.get(role, role)}({role})"


def granted(who: str, role: str, changed: bool) -> str:
    return (
        f"{who}에게 {role_name(role)} 권한을 주었어요."
        if changed
        else f"{who}에게는 이미 {role_name(role)} 권한이 있어요."
    )


def revoked(who: str, role: str, changed: bool) -> str:
    return (
        f"{who}의 {role_name(role)} 권한을 거두었어요." if changed else f"{who}에게는 {role_name(role)} 권한이 없어요."
    )


def told(changed: bool, reached: bool) -> str:
    if not changed:
        return ""
    return "\n본인에게 알렸어요." if reached else "\n본인에게 알리지 못했어요 (봇을 차단했을 수 있어요)."


def you_were_granted(role: str) -> str:
    extra = {
        "verified": " 이제 인증 직원 대상 공지를 받고 /notices 에서 볼 수 있어요.",
        "staff": " /help 에서 직원 명령을 볼 수 있어요.",
        "admin": " /help 에서 관리자 명령을 볼 수 있어요.",
    }.get(role, "")
    return f"🔑 {role_name(role)} 권한을 받았어요.{extra}"


def you_were_revoked(role: str) -> str:
    return f"{role_name(role)} 권한이 거두어졌어요. 궁금한 점은 담당 직원에게 물어 주세요."


def env_admin(who: str) -> str:
    return (
        f"{josa(who, '은는')} 서버 설정(HRDBOT_ADMINS)에 적힌 관리자라서 채팅에서는 "
        "권한을 거둘 수 없어요. 서버의 HRDBOT_ADMINS 에서 빼고 봇을 다시 시작해 주세요."
    )


def grants_list(items: Sequence[Grant], admins: Sequence[int], known: dict[int, User] | None = None) -> str:
    known = known or {}
    lines = ["<b>권한 목록</b>"]
    lines += [f"• {person(a, known.get(a))} — 관리자 (HRDBOT_ADMINS, 채팅에서 거둘 수 없음)" for a in sorted(admins)]
    lines += [f"• {person(g.user_id, known.get(g.user_id))} — {role_name(g.role)} ({g.granted_at[:10]})" for g in items]
    return "\n".join(lines)


WHO_HELP = (
    "대상은 세 가지로 정할 수 있어요: 그 사람의 메시지(전달된 메시지 포함)에 답장하며 "
    "명령 보내기, @사용자이름, 또는 숫자 id (그 사람이 /whoami 로 볼 수 있어요)."
)
GRANT_USAGE = f"사용법: /grant 대상 [staff|admin]  (예: /grant @hong, /grant 123456789 admin)\n{WHO_HELP}"
REVOKE_USAGE = f"사용법: /revoke 대상 [staff|admin]\n{WHO_HELP}"
VERIFY_USAGE = (
    f"사용법: /verify 대상 — 인증 직원으로 등록, /unverify 대상 — 인증 해제\n{WHO_HELP}\n"
    "여러 명은 /invite 로 초대 링크를 만들어 내부 채널에 올려 주세요."
)
INVITE_USAGE = (
    "사용법: /invite [사용 횟수] [유효 시간]  예: /invite (1명, 24시간), "
    "/invite 30 48 (30명, 48시간). 횟수는 1~1000, 시간은 1~720."
)


def verified_list(items: Sequence[Grant], known: dict[int, User], limit: int = 30) -> str:
    lines = [f"<b>🔒 인증 직원 {len(items):,}명</b> (직원·관리자는 따로 인증하지 않아도 포함돼요)"]
    lines += [f"• {person(g.user_id, known.get(g.user_id))} ({g.granted_at[:10]})" for g in items[-limit:]]
    if len(items) > limit:
        lines.append(f"… 외 {len(items) - limit:,}명")
    return "\n".join(lines)


def invite_made(link: str, invite: Invite) -> str:
    uses = "1명만" if invite.max_uses == 1 else f"{invite.max_uses:,}명까지"
    return (
        f"<b>🔗 인증 직원 초대 링크 #{invite.id}</b>\n{html.escape(link)}\n"
        f"{uses}, <b>{kdatetime(invite.expires_at)}</b>까지 쓸 수 있어요. 직원만 보는 내부 "
        "채널에 올려 주세요: 링크를 연 사람은 인증 직원이 되어 내부 공지를 받아요. "
        "링크는 지금 한 번만 보여 드려요."
    )


JOINED = "🔒 인증 직원으로 등록되었어요. 이제 인증 직원 대상 공지를 받고 /notices 에서 볼 수 있어요."
ALREADY_VERIFIED = "이미 인증된 직원이에요. 초대 링크는 사용하지 않았어요."
JOIN_IN_PRIVATE = "초대 링크는 봇과의 개인 대화에서 열어 주세요."


def whoami(user_id: int, username: str | None, roles_: Sequence[str], env_admin_: bool, audience: str | None) -> str:
    names = [role_name(r) for r in roles_]
    if env_admin_:
        names.insert(0, "관리자 (HRDBOT_ADMINS)")
    said = AUDIENCES.get(audience or "", "고르지 않음")
    return (
        "<b>내 정보</b>\n"
        f"id: <code>{user_id}</code>\n"
        f"사용자 이름: {'@' + html.escape(username) if username else '없음'}\n"
        f"권한: {', '.join(names) if names else '없음'}\n"
        f"/start 에서 고른 구분: {html.escape(said)} (맞춤 안내용이며 권한이 아니에요)"
    )


STAFF_HELP_HEAD = "<b>직원 명령</b> (직원과 관리자에게만 보여요)"
