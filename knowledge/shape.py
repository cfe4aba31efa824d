"""The shape of a reply: the asked fact first, a few supporting lines, the basis; the full card
one "자세히" away. Texts of the replies that are no answer (declines, noise) live here too."""

from __future__ import annotations

import re

from knowledge.normalize import key
from knowledge.text import BASIS, josa

# A sentence that says the report does not give what was asked ("…는 업무보고에 나와 있지 않습니다").
SAYS_MISSING = re.compile(r"업무보고에\s*(?:따로\s*)?(?:나와\s*있지\s*않|없)")
MORE_HINT = '… (전체 내용은 "자세히")'
DETAIL_WORDS = frozenset({"자세히", "자세히알려줘", "자세히요", "더자세히", "더알려줘", "전체보기", "자세히보기"})
EMPTY_QUESTION = '질문을 입력해 주세요. 예: "신임자 과정 언제 시작해요?"'
NOISE_REPLY = '네, 더 궁금한 점이 있으면 말씀해 주세요. 예: "신임자 과정 언제 시작해요?"'
NOT_FOUND = (
    "죄송합니다. 그 내용은 제가 가진 자료({year}년 업무보고)에서 찾지 못했습니다. "
    "다르게 물어봐 주시거나 인재개발원에 직접 문의해 주세요."
)
OTHER_YEAR = (
    "죄송합니다. {years} 정보는 가지고 있지 않습니다. 저는 서울시 인재개발원의 "
    "{year}년 업무보고에 있는 내용({year}년 교육·채용 계획)만 안내할 수 있습니다."
)
SUGGEST_HEAD = "혹시 이것을 찾으셨나요?"


def _shared(line: str, tokens: list[str]) -> int:
    """How many of the question's words (matching keys) ``line`` holds."""
    compact = key(line)
    return sum(t in compact for t in tokens)


def distinct_lines(card: str) -> list[str]:
    """The card's lines, each said once (also when said again as an item of a list), with no
    run of blank lines."""
    lines: list[str] = []
    seen: set[str] = set()
    for line in card.splitlines():
        said = line.strip().removeprefix("• ")
        if said and said in seen:
            continue
        seen.add(said)
        if not line.strip() and (not lines or not lines[-1].strip()):
            continue
        lines.append(line)
    return lines


def shape(
    card: str,
    tokens: list[str],
    short_lines: int,
    list_lines: int,
    values: tuple[re.Pattern[str], ...] = (),
    asked: list[str] | None = None,
    own: tuple[str, ...] = (),
) -> tuple[str, str]:
    """(short reply, full card): the answer line first, then the supporting lines that share the
    most words with the question (``tokens``, as matching keys), then the basis; repeated lines
    dropped. A list right under the answer line is the answer and is kept whole up to
    ``list_lines`` items. ``values``: what the asked value looks like; a head line holding it stays
    first. ``asked``: the words of the attribute the question asks (집행률, 집행액 …), which
    outrank the rest of the question's words when the answer line is chosen. ``own``: the words
    of the thing the question asks of, as no term names it ("전산 실습도 하나요"): a line that holds
    two of them, which the head does not, answers a question asking no value."""
    asked = asked or []
    lines = distinct_lines(card)
    full = "\n".join(lines).strip()
    basis_line = lines[-1] if lines and lines[-1].startswith(f"({BASIS}") else ""
    body = [line for line in (lines[:-1] if basis_line else lines) if line.strip()]
    listed = 0  # the list's lines: bullets and their indented continuations ("  참고: …")
    while listed + 1 < len(body) and body[listed + 1].startswith(("•", " ")):
        listed += 1
    bullets = sum(line.startswith("•") for line in body[1 : listed + 1])
    limit = max(short_lines, listed + 1) if bullets <= list_lines else short_lines
    # The asked fact first: a line with a figure that shares more of the question's words than
    # the head line goes before it, a list item too ("상반기 실적" asked: its line, not the plan's).
    scores = [_shared(line, tokens) for line in body]
    named = [_shared(line, asked) for line in body]
    if len(body) > 1:
        weight = [a + b for a, b in zip(scores, named, strict=True)]  # the asked attribute counts twice

        def gives(i: int) -> bool:  # the line holds a value of each kind asked
            return all(v.search(body[i]) for v in values)

        def may_lead(i: int) -> bool:  # the answer never opens with its basis or what is missing
            return not body[i].startswith(f"({BASIS}") and not SAYS_MISSING.search(body[i])

        best = max(range(1, len(body)), key=lambda i: (weight[i], -i))
        lead: int | None = None
        if (
            # a line naming the asked attribute the head line does not name goes first, even when
            # the head holds a value of the asked kind ("집행률": not the 증감률 of the head)
            not (values and gives(0) and named[best] <= named[0])
            # ... nor yields to a line that lacks it ("교육대상: 팀장" for "몇 명 대상임?")
            and not (values and not gives(best))
            and weight[best] > weight[0]
            and re.search(r"\d", body[best])
            and may_lead(best)
        ):
            lead = best
        elif not values and len(own) >= 2 and not any(w in key(body[0]) for w in own):
            holding = [i for i in range(1, len(body)) if all(w in key(body[i]) for w in own) and may_lead(i)]
            lead = holding[0] if holding else None
        elif values and not gives(0):
            # the head lacks the value asked ("몇 번": no 회 in it): the line that gives it leads
            giving = [i for i in range(1, len(body)) if gives(i) and may_lead(i)]
            lead = max(giving, key=lambda i: (weight[i], -i)) if giving else None
        if lead is not None:
            line = body.pop(lead)
            body.insert(0, line[2:] if line.startswith("• ") else line)
            full = "\n".join([*body, basis_line] if basis_line else body)
    if len(body) <= limit:
        return full, full
    # a basis line inside the card closes one record's lines: it is no answer of its own
    score = [-1 if line.startswith(f"({BASIS}") else _shared(line, tokens) for line in body]
    chosen: list[int] = []
    for i in sorted(range(1, len(body)), key=lambda i: (-score[i], i)):
        if score[i] < 0:
            continue
        # a bullet is kept with the line it belongs to ("• 집행액 …" under its budget line)
        head = next((j for j in range(i - 1, -1, -1) if not body[j].startswith(("•", " "))), 0)
        need = [i] if not body[i].startswith("•") or head in (0, *chosen) else [head, i]
        if len(chosen) + len(need) <= limit - 1:
            chosen += [j for j in need if j not in chosen]
    kept = [body[0]] + [body[i] for i in sorted(chosen)]
    # a heading ("기수별 일정:") is kept only with an item of its list under it
    kept = [
        line
        for j, line in enumerate(kept)
        if not (j and line.endswith(":") and not (j + 1 < len(kept) and kept[j + 1].startswith("•")))
    ] + [MORE_HINT]
    if basis_line:
        kept.append(basis_line)
    return "\n".join(kept), full


# What a question word asks, as a noun for "…의 장소는 업무보고에 나와 있지 않습니다".
_ASKED_NOUNS = (
    (re.compile(r"^(어디|어느\s*곳|위치)"), "장소"),
    (re.compile(r"^(주말|공휴일|휴일|토요일|일요일)"), "주말·휴일 운영 여부"),
    (re.compile(r"^(연말\s*집행|집행\s*예상|예상\s*집행|집행될|예상액)"), "연말 집행 예상액"),
    (re.compile(r"^(언제|며칠|몇\s*일|몇\s*월|정확)"), "날짜"),
    (re.compile(r"^얼마"), "금액"),
    (re.compile(r"^(왜|웨|까닭)"), "이유"),
    (re.compile(r"^누가\s*(?:강의|가르|강사)"), "강사"),
    (re.compile(r"^누가\s*(?:나와|나오|와|오)"), "나오는 사람"),
    (re.compile(r"^(누구|누가)"), "담당자"),
    (re.compile(r"^몇\s*(명|사람)"), "인원"),
    (re.compile(r"^몇\s*(살|세)"), "나이"),
    (re.compile(r"^몇\s*(번|회|차)"), "횟수"),
    (re.compile(r"^몇\s*(시간|주|달|개월|년)"), "기간"),
    (re.compile(r"^몇\s*분(?!야)"), "시간"),  # minutes: "몇 분이에요" asks how long
    (re.compile(r"^몇\s*박"), "숙박 일수"),
    (re.compile(r"^몇\s*시"), "시간"),
    (re.compile(r"^몇\s*층"), "층수"),
    (re.compile(r"^몇\s*(\S+)"), "{0}수"),
)


def asked_noun(word: str) -> str:
    """The noun for what ``word`` asks ("어디서" → 장소, "몇 대" → 대 수), or the word."""
    for pattern, noun in _ASKED_NOUNS:
        m = pattern.match(word)
        if m:
            return noun.format(m.group(1)) if "{0}" in noun else noun
    return word


def lacks(subject: str, words: list[str]) -> str:
    """ "신임자 과정의 수강료는 업무보고에 나와 있지 않습니다." """
    if subject and words and re.fullmatch(r"\d\s*급", words[0]):  # "7급 역량평가는 …"
        return f"{josa(f'{words[0]} {subject}', '은는')} 업무보고에 나와 있지 않습니다."
    asked = asked_noun(words[0]) if words else "그 내용"
    if subject:
        return f"{subject}의 {josa(asked, '은는')} 업무보고에 나와 있지 않습니다."
    return f"{josa(asked, '은는')} 업무보고에 나와 있지 않습니다."


def not_in_report(subject: str, words: list[str], card: str) -> str:
    """ "신임자 과정의 수강료는 업무보고에 나와 있지 않습니다." and one line of what is known."""
    head = lacks(subject, words)
    known = next((line for line in card.splitlines() if _is_known(line)), "")
    return head + (f"\n업무보고에 있는 내용: {known}" if known else "")


def _is_known(line: str) -> bool:
    """Whether a line of a card says something known: not a heading, the basis line, or a line
    that opens by saying the report lacks a thing ("체육관의 예산은 업무보고에 나와 있지 않습니다")."""
    line = line.strip()
    heading = line.endswith(":") and "다." not in line
    if not line or line.startswith("[") or heading or line.startswith(f"({BASIS}"):
        return False
    lacks = SAYS_MISSING.search(line)
    return lacks is None or bool(re.search(r"[.,—]", line[: lacks.start()]))


def with_note(short: str, note: str) -> str:
    """The answer line, then ``note`` (what the report does not give of the rest), then the rest."""
    first, _, rest = short.partition("\n")
    return "\n".join(x for x in (first, note, rest) if x)


def with_suggestions(body: str, suggestions: list[str]) -> str:
    if not suggestions:
        return body
    return body + f"\n\n{SUGGEST_HEAD}\n" + "\n".join(f"• {s}" for s in suggestions)


# A year as the report abbreviates it ("’19년도", "’17. 10. 11.", "(’18.10.15. ~ 10.26.)")
_SHORT_YEAR = re.compile(r"[’‘](\d{2})(?=\s*(?:년|\.|~|\)|,|월|\s))")


def full_years(text: str) -> str:
    """``text`` with the report's short years written out ("’19년" → "2019년")."""
    return _SHORT_YEAR.sub(lambda m: f"20{m.group(1)}", text)
