"""What the core returns to every channel: a transport-free reply and the conversation context."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

CONTEXT_TTL = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class Context:
    """What a follow-up question in the same chat may lean on ("면접은요?", "그럼 기간은?").

    ``entities`` are those of the last answered turn; ``at`` is when that turn happened.
    """

    intent: str | None = None
    entities: dict[str, Any] = field(default_factory=dict)
    at: dt.datetime | None = None
    detail: str = ""  # the full card of the last answer, for "자세히"
    # what the last answered turn was about when it named no record ("concept.elearning"):
    # "상반기에 몇 명 들었어요?" right after goes on about e-learning
    concepts: tuple[str, ...] = ()
    # the record kinds the last answer brought in itself ("담당 부서는?" → the department): "거기"
    # in the next turn is that record, not the one asked about before
    focus: tuple[str, ...] = ()
    # the attributes the last answered turn asked ("attr.rate"): "제일 낮은 건?" after "집행률
    # 제일 높은 사업은?" asks the same figure, ranked the other way
    asks: tuple[str, ...] = ()

    def fresh(self, now: dt.datetime, ttl: dt.timedelta = CONTEXT_TTL) -> bool:
        return self.at is not None and self.intent is not None and now - self.at <= ttl


EMPTY_CONTEXT = Context()


@dataclass(frozen=True)
class Topic:
    """A reminder topic a reply relates to, so a channel can offer "이 일정 알림 받기"."""

    kind: str  # "exam_round" | "program"
    ref_id: str


@dataclass(frozen=True)
class Reply:
    """One answer. ``intent`` is None when the bot declines (does not know / out of scope)."""

    text: str
    intent: str | None
    confidence: float
    entities: dict[str, Any] = field(default_factory=dict)
    suggestions: tuple[str, ...] = ()
    context: Context = EMPTY_CONTEXT
    topics: tuple[Topic, ...] = ()
    detail: str = ""  # the full card when ``text`` is its short form ("자세히" shows it)

    def to_json(self) -> dict[str, Any]:
        return {
            "reply": self.text,
            "intent": self.intent,
            "confidence": round(self.confidence, 3),
            "entities": self.entities,
            "suggestions": list(self.suggestions),
        }
