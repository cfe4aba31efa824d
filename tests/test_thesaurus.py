"""The thesaurus: everyday words read as the report's words, and nothing else rewritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.core import Brain
from knowledge.normalize import key
from knowledge.store import open_database
from knowledge.thesaurus import THESAURUS_FILE, Thesaurus, ThesaurusError, load_thesaurus


@pytest.fixture(scope="module")
def brain(tmp_path_factory: pytest.TempPathFactory) -> Brain:
    return Brain(open_database(tmp_path_factory.mktemp("thesaurus") / "t.db"), log_unanswered=False)


KNOWN = frozenset({"지역", "이러닝", "예산", "교육", "동네방네"})


def test_everyday_word_becomes_the_report_word_and_keeps_its_particle() -> None:
    t = Thesaurus({"지역": ["동네", "고장"]}, KNOWN)
    assert t.rewrite("우리 동네에서 하는 교육?") == "우리 지역에서 하는 교육?"
    assert t.rewrite("고장은요") == "지역은요"


def test_a_word_that_only_starts_like_a_synonym_is_left_alone() -> None:
    t = Thesaurus({"예산": ["돈"]}, KNOWN)
    assert t.rewrite("돈가스 맛집") == "돈가스 맛집"
    assert t.rewrite("돈이 얼마나") == "예산이 얼마나"


def test_a_known_word_is_never_rewritten() -> None:
    # "동네방네" is (here) a word the bot knows: it is not "동네" + something
    t = Thesaurus({"지역": ["동네", "교육"]}, KNOWN)
    assert t.rewrite("동네방네") == "동네방네"
    assert t.rewrite("교육 일정") == "교육 일정"  # a synonym that is a known word is dropped
    assert len(t) == 1


def test_a_form_listed_as_it_is_wins_over_its_known_stem() -> None:
    # "담엔" (다음엔 said short) is listed whole; its stem 담 is a word of its own, left alone
    t = Thesaurus({"다음": ["담엔"]}, KNOWN | {"담"})
    assert t.rewrite("담엔 뭐예요") == "다음 뭐예요"
    assert t.rewrite("담이 높아요") == "담이 높아요"


def test_phrases_match_with_or_without_spaces() -> None:
    t = Thesaurus({"이러닝": ["인터넷 강의"]}, KNOWN)
    assert t.rewrite("인터넷 강의 몇 개") == "이러닝 몇 개"
    assert t.rewrite("인터넷강의 몇 개") == "이러닝 몇 개"
    assert t.rewrite("인터넷   강의는?") == "이러닝는?"


def test_text_without_synonyms_comes_back_unchanged() -> None:
    t = Thesaurus({"지역": ["동네"]}, KNOWN)
    text = "Ｅ러닝 8/22 일정?"  # no NFKC or case change when nothing is rewritten
    assert t.rewrite(text) == text
    assert Thesaurus({}, KNOWN).rewrite(text) == text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("지역: [동네\n", "not valid YAML"),
        ("- 동네\n- 고장\n", "expected a mapping"),
        ("지역: 동네\n", "must map to a list"),
        ("지역: [동네, 3]\n", "must map to a list"),
        ("지역: ['', 동네]\n", "must map to a list"),
        ("'': [동네]\n", "a key is not a word"),
        ("증감: [감소]\n지역: [동네]\n증감: [삭감]\n", "duplicate key '증감'"),  # would drop 감소 silently
    ],
)
def test_malformed_files_get_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "thesaurus.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ThesaurusError, match=message):
        load_thesaurus(path)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ThesaurusError, match="cannot read"):
        load_thesaurus(tmp_path / "nope.yaml")


def test_empty_file_is_an_empty_thesaurus(tmp_path: Path) -> None:
    path = tmp_path / "thesaurus.yaml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    assert load_thesaurus(path) == {}


def test_shipped_thesaurus_maps_onto_words_of_the_report(brain: Brain) -> None:
    """Every key is a word the report (or the nlu vocabulary) uses, such a noun made a verb
    ("신축하" for "새로 짓") or with a suffix that asks an attribute of it ("급식비" for "밥값"),
    and no synonym is one: a synonym the bot already knows would change what a known word means."""
    entries = load_thesaurus(THESAURUS_FILE)
    u = brain.understander
    known = u.report_words | frozenset(u.vocabulary)
    endings = ("하", *u.suffixes)
    assert entries
    for target, synonyms in entries.items():
        k = key(target)
        assert k in known or any(k.endswith(e) and k[: -len(e)] in known for e in endings), target
        for s in synonyms:
            assert key(s) not in u.report_words, (target, s)


def test_a_noun_made_a_verb_or_with_particles_is_still_read() -> None:
    t = Thesaurus({"증감": ["감소"], "모바일": ["폰"]}, KNOWN)
    assert t.rewrite("예산 감소했는지 알려줘") == "예산 증감했는지 알려줘"
    assert t.rewrite("폰으로도 돼?") == "모바일으로도 돼?"
    assert t.rewrite("감소율까지") == "감소율까지"  # no entry for 감소율: left alone
