"""Mechanisms that make answers hold on phrasings nobody wrote down, tried on phrasings of our own
(in none of the splits): everyday words, "몇 <unit>", compounds, activity costs, small talk."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from knowledge.core import Brain
from knowledge.normalize import copula_stem, topic_stem
from knowledge.reply import Context
from knowledge.shape import NOISE_REPLY, asked_noun, distinct_lines, full_years, shape
from knowledge.stages import Accounting, Turns, rank_fits
from knowledge.store import open_database
from knowledge.text import cite
from knowledge.understand import NLU_FILE, NluError, asked_text, asks_next, load_nlu

NOW = dt.datetime(2018, 7, 1, 12, tzinfo=ZoneInfo("Asia/Seoul"))
HERE = Path(__file__).parent
NOT_GIVEN = "업무보고에 나와 있지 않습니다"


@pytest.fixture(scope="module")
def brain(tmp_path_factory: pytest.TempPathFactory) -> Brain:
    return Brain(open_database(tmp_path_factory.mktemp("gen") / "gen.db"), log_unanswered=False)


ANSWERED = [
    # (question, facts the reply must hold)
    # a figure a budget line's note gives (부족액) is a passage of its own
    ("공채 시험 사업은 연말 부족액이 얼마예요", ["1,000,000천원"]),
    # a word for the people a record serves ("교육생") is no shorter name of that record
    ("교육생들이 이용 가능한 시설은 어떤 것들이 있나요", ["구내식당", "도서실"]),
    # "몸이 불편한" is said of the report's 장애인
    ("몸이 불편한 교육생 위한 시설 개선도 하나요", ["장애인 교육생 편의시설 개선"]),
    # a rank that qualifies an exam ("신규 … 채용시험") names no course for that rank
    ("올해 신규 공무원 채용시험으로 몇 명 뽑아요", ["2,984명"]),
    # "총" and "등" join no shorter name ("교육 (총 40회)" names no cohort "교육총"): the course's
    # total is asked, with the plan table's other figure
    ("핵심가치 공유교육 총 인원 다 합치면 몇 명이죠", ["5,000명", "6,200명"]),
    # a cohort's own line (its target and note) is a passage too: who it was run with finds it
    ("시립대랑 같이 한 외국 공무원 연수는 어느 나라 과정이에요", ["아르헨티나"]),
    # the wording of a thing (문구, 문장) is the thing as written
    ("인재개발원 목표 문장 그대로 알려주세요", ["긍정의 조직문화 확산"]),
    # two words of the vocabulary side by side ("보수공사") name a kind of works, not one item
    ("올해 인재원 보수공사는 어떤 것들 했나요", ["당직실", "가림벽"]),
    # the amount a line is given (편성액) is its budget
    ("신임자과정 운영 올해 편성액이 얼마죠", ["1,816,633천원"]),
    # the asker's spouse is a person of theirs, no subject; "남편이랑 같이" is the report's 부부가 함께
    ("아내가 인재개발원 다니면 애 어린이집 몇 순위예요", ["0순위"]),
    ("퇴직 교육에 남편이랑 같이 가는 것도 있나요", ["부부가 함께"]),
    # a word of the report with a word for the report after it ("계획표") names where a figure is
    ("계획표에 인문소양 집합교육은 몇 과정으로 잡혀 있어요", ["7개 과정"]),
    # "끝나면 남은 단계" asks what comes after the event it names, as "다음" does
    ("2회 공채 인성검사 끝나면 남은 단계는 뭐예요", ["면접시험은 2018년 10월 15일"]),
    # an area of the e-learning plan named alone: its rows added up first (자격증 3 + 외국어 1)
    ("이러닝 개인학습 과정은 모두 몇 개예요", ["개인학습 교육계획은 4개 과정, 43,000명"]),
    # a sitting passed is gone through to its result: what comes next follows the announcement
    ("2회 공채 필기 통과했으면 그다음엔 뭐 봐요", ["인성검사는 2018년 9월 8일"]),
    # ... also when told after the question, and "담" said short for 다음
    ("2회 공채 담 일정 알려주세요? 필기는 합격했어요", ["인성검사는 2018년 9월 8일"]),
    # "인가" closes a question written like a note; it is no typo of a term ("인강")
    ("청사 건물은 총 몇 동인가", ["4개동"]),
    # the days of the week a course runs are a list of their own ("수, 금")
    ("핵심가치 교육 하는 요일은 무슨 요일이에요", ["수, 금"]),
    # a prefix of the whole written onto a word of the vocabulary ("총면적") and the ㎡ sign ask an area
    ("인재원 건물들 총면적이 몇㎡쯤 돼요", ["16,657"]),
    # "답변 부탁드립니다" after the question asks nothing of its own
    ("퇴직 교육 제주도 문화탐방은 부부 같이 가요? 답변 부탁드립니다", ["부부가 함께"]),
    # the cohort asked ("몇 기로") of an exam round's passers is the course's cohort for them
    ("1회 공채로 붙었는데 저는 몇 기로 들어가요?", ["제8기"]),
    # an exam round named with a course asks of the cohort its passers are (제8기, "1회 공채자")
    ("상반기 1회 공채 붙은 사람들은 신규 교육을 언제 들어요?", ["7월 23일"]),
    # the most of a budget asked without a change or a rate: the lines ranked by their sum
    ("세출 사업 가운데 예산이 제일 적게 잡힌 건 뭐예요?", ["인적자원개발(HRD)역량강화프로그램운영", "25,120천원"]),
    # a figure the question quotes ("386회") finds the passage that says it, with its row's note
    ("386회면 이러닝은 빠진 숫자예요?", ["집합교육 횟수만"]),
    # "얼마" asks a sum only beside a word of money: the 원 of 민원 is none
    ("민원이 많았던 시험지 줄간격은 얼마로 늘렸나요?", ["165%"]),
    # a verb with its ending ("넓어졌나요") is no typo of a cue noun (넓이, an area)
    ("시험 문제지 줄 간격이 넓어졌나요?", ["165%"]),
    # who audited, said apart from the finding ("의회에서 지적받은"), is the audit's word
    ("어린이집 관련해서 의회에서 지적받은 거 있어요?", ["지역 주민"]),
    # an asker who tells of themselves, of no group the rules name, is of the general group
    ("저는 그냥 회사 다니는 엄마인데 어린이집 몇 순위예요?", ["3순위", "일반 영유아"]),
    # "몇 분" asks minutes, which a date ("23일") does not give; the interview's minutes do
    ("면접 보는 시간은 몇 분 정도예요?", ["40분"]),
    # what the asker tells of someone before the question ("…이신데") is no word the answer must hold
    ("어머니가 곧 정년이신데 퇴직예정자 교육은 대상이 누구예요?", ["퇴직 전 5년"]),
    # the asker's own rank, said before the course asked of, is no rank the answer must be of
    ("9급 막 붙었는데요 신임자 과정 몇 주 해요?", ["5주"]),
    # where the report gives a total twice (SEED-NOTES 1), the answer shows both, not one silently
    ("공개채용이랑 경력채용 다 합하면 올해 몇 명이에요", ["2,984", "2,980"]),
    # 받아주다 is admitting, as 입소 and 보내다 are
    ("직원 아닌 집 아이도 어린이집에서 받아주나요", ["결원"]),
    # a word said of a thing the card counts: 지하층 is "지하 1층"
    ("배움관 지하층은 몇 층까지 있어요", ["지하 1층"]),
    # "누가" before a verb of doing asks the doer ("챙겨요"); before one of taking part, who may
    ("시험장 설치는 누가 챙겨요?", ["자치구"]),
    ("신임자 과정 누가 들어요?", ["신임 공무원"]),
    # the council named with a finding asked is who audited, not the keyword of its council course
    ("시의회가 어린이집 문제로 지적한 내용 알려주세요", ["지역 주민"]),
    # a finding named beside the word for the audit is asked, not the audit's summary; and
    # "조치결과" is the audit's word for what was done, as 처리결과 is
    ("작년 행정사무감사 채용시스템 개편 건 조치결과 알려주세요", ["인·적성검사"]),
    # ... and a part the answer counts is answered ("국제반 28")
    ("6급 미래인재 하반기 97명 중에 국제반은 몇 명이에요", ["28"]),
    # the year-end forecast the budget table gives leads, asked in everyday words
    ("신임자 과정 운영 예산은 연말에 몇 퍼센트 집행될 예정이에요", ["80.7%"]),
    # a verb's ending before only words of asking ("가요 좀 알려줘") is a verb, not the noun 가요
    ("퇴직 교육 현장체험은 어디 가요 좀 알려줘", ["현장체험"]),
    # a long run typed without spaces and misread is read again, spaced into known words
    ("퇴직자교육 사회공헌분야는 몇기예요", ["6기"]),
    ("핵심가치협치교육은올해언제부터언제까지하나요", ["3월 28일"]),
    ("인재원홈피주소가뭐였죠", ["hrd.seoul.go.kr"]),
    # a word that sets a turn apart from the last ("별개로", "딴 얘긴데") only leads into it
    ("아딴얘긴데 어린이집 2순위는 누구에요", ["2순위"]),
    ("별개로 신임자 과정은 몇 명 받아요", ["2,276명"]),
    # "못 들어가요" asks who may get in, as "들어갈 수 있어요" does
    ("맞벌이인데 직원 아니면 어린이집 못 들어가요?", ["결원"]),
    # a rank said in two words with its particle between ("퇴직을 앞둔" is the report's 퇴직 앞둔)
    ("퇴직을 앞둔 사람들 교육은 몇 명 뽑아요", ["450명"]),
    # since when a thing has been done asks when it began, not its next date
    ("인성검사는 언제부터 생겼나요", ["2013년"]),
    # a round said by its number alone, right before an exam figure asked of it
    ("저번 2회 응시자 몇 명이에요", ["67,959"]),
    # the rate of what was paid out, which the budget table gives beside the committed one
    ("신임자 과정 운영비 지출 기준 집행률 얼마나 돼요", ["69.0%"]),
    # what a finding said ("…부족하다고") is quoted, not asked: how it was dealt with is
    ("작년 감사에서 민간위탁 교육 시간이 부족하다고 지적한 거 어떻게 처리했어요", ["맞춤형"]),
    ("우리 애가 조손가정인데 입소 순위가 어떻게 돼요", ["2순위"]),  # 애 → 아이 (thesaurus)
    ("인재원 땅 몇 평이에요", ["85,843"]),  # 땅 → 부지, 몇 평 → a count in 평
    # the members of a counted set, when the answer lists as many as the question counts
    ("인재원 목표 4개 각각 알려줘", ["긍정의 조직문화"]),
    ("전문가 채용 분야 예시 알려줘요", ["변호사 등"]),
    # a noun suffix ends a noun: "같은날" is the same day, no date asked of 같은
    ("다른 시도랑 필기시험 같은날 보는거 언제부터 해요", ["2019년"]),
    ("시험지 어느 과목이 3면으로 바뀐 거예요?", ["행정법"]),  # 과목, not "어느 과" (which department)
    ("퇴직 전 교육 제주 가는 거 몇 박이에요", ["2박3일"]),  # the action 퇴직 is a word the fact must hold
    ("시험 채점은 어디서 해요?", ["채점"]),  # one keyword of a fact with the value asked
    # two questions joined by 고, each with its question word: each answered in turn
    ("1회 공채 최종 발표 언제였고 몇 명 뽑았어요", ["6월 13일", "293명"]),
    ("6급 미래인재 과정은 미래대응 교과 시수가 몇 시간이에요", ["171시간"]),  # 시수: hours of instruction
    # a matched term with 표 after it names the table the figure is in ("교육계획표")
    ("교육계획표 기준 집합교육 직위 리더십 인원 몇 명이에요", ["1,525명"]),
    # a compound of the report's words that no fact writes together is looked up as its words
    ("6급 과정 빅데이터 같은 미래대응 교과는 몇 시간이에요", ["171시간"]),
    ("교육생급식지원 예산 증가율 정확한 숫자로 알려주세요", ["37.1%"]),  # 숫자 asks nothing of its own
    # a course named after those it is for: whether they may take it is answered with what it is
    ("다른 시도 공무원들도 서울 인재원 연수 들을 수 있나요?", ["사람중심 도시재생"]),
    # a shorter name of a category that is a word of the course named in full is that course's word
    ("6급 미래인재 과정에서 공직가치 현장 체험 어디로 가나요", ["다산수련원"]),
    # a year other than the report's is a word the fact must hold when the question says little else
    ("2019년부터 서울시 임용시험 달라지는 게 뭐예요?", ["필기시험일자 통일"]),
    # the whole order asked, from a rank named: every rank, not the one named
    ("어린이집 순위 1순위부터 전부 다 보여주세요", ["0순위", "3순위"]),
    # "어디 지침" asks which guideline: its name may be written apart from the kind word
    ("어린이집 결원 생기면 주민 자녀 받는 건 어디 지침 때문이에요?", ["보건복지부 지침"]),
    # who does a thing: a department whose duties say nothing of it is no answer; the fact is
    ("채용시험 때 시험장 설치는 누가 맡나요", ["자치구"]),
    # a keyword is shown by an answer as a word of it, not across two ("시험일" ≠ "시험 일정")
    ("타 시도와 시험일 통일하는 방안 언제 정했어요", ["2017.10.11"]),
    ("2차 필기 응시 인원 알려줘요", ["67,959"]),  # a round that gives how many sat
    ("2차 필기 응시자수랑 시험장 수 알려줘요", ["67,959", "140"]),  # 수랑: the bound noun 수 + 랑
    # two questions in one message that cannot be answered as one: each in turn
    ("신임자 과정 몇 주짜리예요? 이러닝은 어디서 들어요?", ["5주", "hrd.seoul.go.kr"]),
    ("핵심가치 교육은 몇 명 받아요? 일주일에 몇 번 해요?", ["5,000명", "주2회"]),
    # "표" said as a word of its own is the report's table, where the figure is written
    ("예산 표에서 집행률 제일 높은 사업은 뭐예요", ["e-러닝콘텐츠개발"]),
    ("5급 역량평가에서 보는 역량 목록 알려줘요", ["정책기획, 성과지향"]),  # a list the report gives
    ("교육평가 방법 알려줘요", ["학업성취도"]),  # the evaluation of training, not the promotion assessment
    ("인재개발원은 몇 과 몇 팀이에요", ["14팀"]),  # the centre's own units
    ("6급 미래인재 과정은 몇 개월 과정이에요?", ["6개월"]),  # the course's own length
    ("cctv 공사 언제 해요", ["2018년 7월"]),  # the works themselves
    ("어집은 몇 층짜리예요", ["지상 1층"]),  # 어집: the daycare's building too, as its concept already was
    # what follows the question to say why it is asked ("…어디서 책 보나 해서") asks nothing
    ("인재원에 도서실 있어요? 쉬는 시간에 어디서 책 보나 해서", ["도서실"]),
    # a word many records use ("자치구") is still the question's word when it says little else
    ("신규채용 시험 때 자치구는 뭘 맡나요", ["시험장 확보"]),
    ("공채 시험 시행할 때 구에서는 뭘 맡아요?", ["시험장 확보"]),  # 구: a district, the report's 자치구
    # a date asked of two actions, one the report's word (통일) and one the asker's (적용)
    ("다른 시·도랑 필기시험 날짜 통일하는 거 몇 년부터 적용돼요", ["2019년도부터"]),
    # a remark after the question ("ㅠㅠ 떨려서 …") asks nothing: the sentence with the question word does
    ("3차 필기 합격자 발표 언제예요 ㅠㅠ 떨려서 잠이 안와", ["11월 14일"]),
    ("5급 역량평가 1년에 몇 번 해요?", ["10회"]),  # 몇 번 → 회
    ("직장보육시설 운영비 얼마나 써요", ["220,151"]),  # <activity>비: the line named after it
    ("교육생 급식비 예산 얼마예요", ["499,272"]),  # a record named beats a word many lines share
    ("직장어린이집 입소 우선순위 전부 알려주세요", ["0순위", "3순위", "결원"]),  # the whole list, short
    ("외국공무원 초청연수 올해 예산", ["465,145"]),  # a compound of the record's words
    ("체육시설 있어요 인재원에?", ["체육시설"]),  # the centre's name with a particle
    ("역량평가 운영 예산 연말까지 얼마 쓸 예정인가요", ["763,014", "96.2%"]),  # the section's forecast
    ("협치 교육은 주로 무슨 요일에 열려요", ["수, 금"]),  # weekdays, not the weekday of a date
    ("미래인재 과정 현장교육 가는 수련원 이름이 어디예요", ["다산수련원"]),  # a place of the kind asked
    ("아르헨티나 스마트시티 연수는 어디서 진행했어요", ["시립대"]),  # a body the report abbreviates
    ("소방공무원은 e러닝 수강 대상이에요?", ["소방직 공무원"]),  # two words of the answer written together
    ("내년 정년인데 퇴직 준비 교육 몇 명 받아요", ["450명"]),  # "내년" is the asker's, not the asked
    ("2017년 행정사무감사 처리요구 몇 건이에요", ["18건"]),
    ("2017년 세출예산 얼마였어요", ["16,745,461"]),  # the year is spoken of, though not first
    # the most changed of the business lines, by amount or by rate
    ("예산 제일 많이 줄어든 사업 뭐예요", ["공무원채용및 기타 시험 관리", "-2,168,949"]),
    ("증가율로 보면 예산 가장 많이 늘린 사업은", ["교육과정개발및 교육훈련계획수립", "+100.2%"]),
    ("인재원 목표 몇 개예요", ["4가지"]),
    ("시험관리 추진과제에는 단위과제가 몇 개 있어요", ["세 가지"]),  # a count in Korean numerals
    ("핵심가치 교육 몇 명 대상이에요", ["5,000명"]),  # of two readings alike, the one that gives the count
    # an audit question about a thing whose name hid the finding's keyword: the finding
    ("감사 지적 중에 어린이집 관련 있어요", ["추진완료", "지역아동"]),
    ("일반임기제 지금까지 몇 명 채용됐어요", ["31명"]),  # what the report says of the category asked
    ("6월 공채 필기 시험 본 사람 몇 명이에요", ["67,959"]),  # 시험 본 사람 → 응시자 (thesaurus)
    ("예전엔 면접 몇 분 봤어요", ["45분"]),  # "예전" is a time word, like 작년, and names nothing
    # a typo read as the record the intent answers about names no other record beside it
    ("4급 역량펑가 대상이 누구예요", ["4급 승진대상자"]),
    # an adjective describing what is named ("촘촘하다는 민원") asks nothing the report must hold
    ("시험 문제지 글씨 촘촘하다는 민원 개선됐나요", ["165%"]),
    ("올해 공무원 채용 계획 전체 몇 명이에요", ["3,094명", "2,984명"]),  # the total and its open-exam part
    ("공채랑 경채 다 합치면 올해 몇 명 뽑아요", ["4회, 2,984명"]),  # both kinds named: their sum
    ("인재원에 과랑 팀이 몇 개씩 있어요", ["3과", "14팀"]),  # names of one syllable, standing alone
    # the reading of the same field whose answer holds the word nothing else accounts for
    ("어린이집 누가 들어갈 수 있는지 무슨 법에 있어요", ["영유아보육법"]),
    ("교육통합시스템 고도화 사업 며칠간 진행돼요", ["180일"]),  # a day's question word with a span: how long
    ("교재 만드는 과는 어디예요", ["인재양성과"]),  # "어디" of a unit of the organisation: which unit
    ("e러닝 운영하는 과는?", ["인재기획과"]),  # a unit named last, after what it does
    ("다른 시도 공무원들 오는 연수 몇 번 해요", ["4회 100명"]),  # the course, not the exam-date finding
    ("문제지 줄간격 좁다는 지적 개선했어요?", ["165%"]),  # "개선했어요" is a verb, no building works
    ("전문가 채용도 포함하면 올해 채용 인원 총 몇 명이에요", ["3,094명"]),  # the sum words: the whole plan
    ("시험장은 몇 군데였나요", ["140개 시험장"]),  # of the facts pointed at, the one giving the count asked
    ("인성 검사는 처음에 언제 도입한 거예요", ["2013년"]),  # the date of the action asked, not the next test
    ("어린이집 결원 생기면 어떻게 돼요", ["서울 소재"]),  # a vacancy is a question of who may enter
    ("교육생 급식지원 예산 규모가 어느 정도예요", ["499,272"]),  # the size of a budget is a sum
    ("e러닝 사이트 주소 알려주세요", ["hrd.seoul.go.kr"]),  # an address is a web or street address
    ("감사에서 어린이집 관련 지적 받은 거 있어요", ["지역"]),  # 지적 alone is an audit's finding
    ("핵심가치 교육 상반기에 몇 명 이수하였습니까", ["1,926명"]),  # MeCab's name guess "이수하" is a verb
    ("6급 미래인재 과정 교육내용 구체적으로 알려주세요", ["다산수련원"]),  # 구체적으로: a word of asking
    ("교육생 식비 예산은 얼마예요", ["499,272"]),  # 식비 → 급식비 (thesaurus): the line named after 급식
    ("신임자 과정 예산 얼마 배정됐나요", ["1,816,633"]),  # 배정 → 편성 (thesaurus)
    ("귀농귀촌 분야 1주 교육 인원 몇 명이에요", ["120명"]),  # a count cohorts share is theirs
    ("인재원이 요즘 밀고 있는 추진과제 알려줄래요", ["맞춤형 교육"]),  # the part of the policy system named
    ("청사를 새로 짓는 계획 있어요?", ["타당성 조사"]),  # 새로 짓다 → 신축하다 (thesaurus), ending kept
    # a statement asked to be confirmed: "날짜" names what it is about, no date is asked
    ("2019년부터 다른 시도랑 필기시험 날짜 맞춘다는 거 맞나요", ["2019년도부터"]),
    ("인재원 교육과정 전부 합치면 몇 명이 들어요", ["230개 과정", "168,545명"]),  # all the courses: the plan
    ("이러닝 과정 전체 몇 개예요", ["106개 과정"]),  # all of one kind of course: that kind's count
    ("2회 공채는 어떤 직렬 뽑아요", ["사회복지직"]),  # a series asked: the answer gives the round's
    ("시험 감독관 배치는 어디서 해요", ["자치구는 시험장 확보"]),  # "어디서 해요" of a task: who does it
    ("시험장 확보는 누가 맡아요", ["자치구는 시험장 확보"]),  # who does the action asked, not who runs exams
    ("2차 면접 끝나면 그 다음은", ["최종 합격자 발표", "11월 14일"]),  # the event after the one named
    ("e러닝 u-지식여행 인원은 얼마나 돼요", ["30,000"]),  # a plan row the table gives only a note of
    ("서울시 공무원은 한 부서에서 평균 몇 년 일해요", ["2년10개월"]),  # 평균 is a word of the report
    # a rank whose courses are one program and its own courses names it, when asked something
    ("정년 앞둔 공무원 교육은 몇 명 받아요", ["10회 450명"]),
    ("퇴직 앞둔 공무원 교육 뭐 있어요", ["퇴직 후 인생설계 교육, 행복한 미래설계, 인생이모작 준비"]),
    ("신임자 과정 운영 비용 작년보다 늘었어요?", ["1,816,633"]),  # a cost named, asked yes or no: a budget says
    ("인재원 과 이름 알려줘요", ["인재기획과", "인재양성과", "인재채용과"]),  # a unit's name ends in the unit
    # a finding's fact says what was done about it, as the report's answer to it does
    ("직장어린이집 이용 아동이 주민 자녀가 많다는 지적은 어떻게 처리됐어요", ["추진완료", "결원이 있을 때"]),
    ("어린이집에 자리가 남으면 일반 아이도 받아주나요", ["결원"]),  # 자리가 남다 → 결원 (thesaurus)
    # a long keyword said as written names the finding asked about, not a pointer the exam's
    # schedule may ignore
    ("공채 필기 날짜를 다른 시도랑 맞추라는 요구는 어떻게 처리됐어요", ["추진완료", "2019년도부터"]),
    ("교육통합시스템 3단계 사업 기간이 며칠이에요", ["180일"]),  # a day's question word asked of a span
    ("인재원에 팀은 몇 개고 직원은 몇 명이에요", ["14팀", "118명"]),  # "개고": a counter and a connective
    ("교육통합시스템 고도화 사업 지금 어디까지 진행됐나요", ["3단계"]),  # how far it has got, not where
    # a word the round's record holds: the reading whose answer shows it (figures, not schedule)
    ("2차 공채 사회복지직 포함된 거 맞죠", ["사회복지직 포함"]),
    # "어느 부서랑 했어요" asks the partner named beside the course, not the unit that runs it
    ("타슈켄트 물관리과정은 어느 부서랑 같이 진행했어요", ["해외도시협력담당관"]),
    # where a course's people came from: the places its cohorts were for
    ("외국도시공무원 연수에는 어느 나라 공무원들이 왔나요", ["아르헨티나", "타슈켄트"]),
    ("세입예산 중 임시적세외수입은 얼마예요", ["5,000천원"]),  # a part whose own sum is said of it
    ("제2회 공채 응시자는 몇 명이었나요", ["67,959명"]),  # the count said of the role asked (응시)
    ("외국도시공무원 연수 하반기에 몇 명 예정이에요", ["120명"]),  # the count said of that half
    ("6급 승진자 과정 몇 명 들어요", ["240명"]),  # a record of one rank: its count is that rank's
    # a short name of a course whose one cohort bears its name: no second record it could name
    ("정책포럼 언제 열려요", ["11월"]),
    ("전문경력관은 어떤 방법으로 채용하나요", ["서류전형"]),  # the way asked: the figures give none
    # a plan row named by its area and category: the reply names both ("e-러닝 직무역량 글로벌")
    ("이러닝 글로벌 직무 과정은 몇 개예요", ["직무역량 글로벌", "2개 과정"]),
    ("9급 면접 시간은 예전보다 얼마나 늘어났어요", ["40분"]),  # a change asked in the past: no count
    # a date in what the asker says of themselves asks no date: the course card, not a fact of it
    ("수고하십니다. 올해 12월에 정년퇴직하는 주무관입니다. 퇴직 준비 교육 뭐 있어요", ["은퇴생활 재설계"]),
    ("인재원 교육과정은 몇 개나 돼요", ["230개 과정"]),  # all the courses, counted: the year's plan
    ("신임자 과정 총원은 몇 명이에요", ["2,276명"]),  # 총원: the thesaurus's everyday word for 인원
    ("1차 공채 채용 직렬은 어디까지예요", ["행정7급"]),  # how far the series reach: no place asked
    # the rank's course gives the hours in a line of its own; the named course's length is missing
    ("6급 교육 중에 4차 산업혁명 교과목은 몇 시간으로 늘렸어요", ["171시간"]),
    ("올해 예산 집행률 최고로 높은 사업 알려줘요", ["e-러닝콘텐츠개발", "95.2%"]),  # lines ranked by rate
    ("협치교육은 매주 몇 번씩 해요", ["주2회"]),  # a count per week is said per week, not the year's 40회
    ("제1회 공채는 어떤 사람들이 대상이었어요", ["행정7급"]),  # whom a round is for: the series it recruits
    # 수료 asks a date or a count: the count, which 몇 명 asks too
    ("6급 승진자 과정 상반기에 수료한 인원 몇 명이에요", ["105명"]),
    ("배움관 말고 다른 건물은 뭐가 있어요", ["창의관", "다솜관"]),  # a record named to be left out
    # "얼마" with no money spoken of asks how much of what the question names, not a sum
    ("시험지 문제 줄 간격은 얼마였다가 얼마로 바뀌었어요", ["165%"]),
    ("신임자 과정은 올해 얼마 잡혔어요", ["1,816,633"]),  # "얼마 잡혔어요": a budget allocated, a sum
    ("전문경력관 채용시험 예산 얼마예요", ["228,000천원"]),  # the line the round's own names name
    ("e러닝 운영 예산 감소폭은요", ["72,902"]),  # 폭 ("감소폭"): how much, no word the report lacks
    ("신임자 과정 제9기 언재 시작해요", ["8월 27일"]),  # a question word's typo MeCab knows as a noun
    ("자카르타 교통과정은 어느 부서와 함께 진행했나요", ["교통정책과"]),  # a unit the report names in brackets
    ("2차 공채 응시율은 몇 퍼센트였어요", ["54.7%"]),
    ("키예프 연수는 몇 월에 했어요", ["5월"]),  # a city named without its suffix (키예프시)
    # two keywords of one fact, said as written, are the words the fact must hold
    ("공채 출제하고 채점은 어디에서 해요", ["문제출제, 채점"]),
    ("협치교육은 1회당 인원이 몇 명이에요", ["1회 125명"]),  # a figure for one unit is one per unit
    ("5급 역량평가에 계속 참여하는 평정위원은 몇 명이에요", ["134명"]),  # 계속: an adverb of frequency
    ("교육시설은 뭐가 있나요? 구내식당 같은 곳", ["도서실", "의무실"]),  # a record given as an example
    ("신임자 과정 올핸 몇 명 교육해요", ["2,276명"]),  # the topic particle run into 올해 (올해 + 는)
    ("한부모 가정은 어린이집 입소 몇 번째 순위예요", ["1순위"]),  # 몇 번째: a place in an order, no count
    ("인재개발원은 1년에 몇 과정 운영해요", ["230개 과정"]),  # courses counted ("몇 과정"), none named
    ("메트로폴리스 교통과정 언제였죠", ["4월"]),  # a name's bracketed qualifier said first
    # a finding named beside a word for the audit itself ("행감"): the finding, not the summary
    ("행감 때 민간위탁 교육 지적받은 거 어떻게 됐어요", ["추진완료", "4기"]),
    ("면접위원 사전교육 안 들으면 위촉돼요?", ["위촉 배제"]),  # the report's own words for the rule
    ("인적성검사는 몇 년에 도입했어요", ["2013년"]),  # "몇 년에" asks which year, not how many
    # what the asker says of themselves before "그럼 …" is no part of the question
    ("저는 한부모 워킹맘이에요 그럼 어린이집 몇 순위예요", ["1순위"]),
    # a plan-table area named: its rows, with last year's figures (the plan table reads a category)
    ("집합교육 리더십역량 인원 작년이랑 비교하면요", ["리더십역량 직급", "리더십역량 직위", "2017년"]),
    ("딴 얘긴데 배움관은 몇 층이에요", ["지상 3층"]),  # the copula run into a function word (얘기 + 인데)
    ("경력경쟁 필기 치렀는데요 합격자 발표 며칠이에요", ["11월 14일"]),  # the event the asker went through
    ("장애인 편의시설 개선은 왜 했어요", ["노후화"]),  # a cause asked, and a text that gives one
    ("타슈켄트 물관리 과정은 어느 부서가 맡았나요", ["해외도시협력담당관"]),  # the unit in its brackets
    ("의회 기능이랑 역할 가르치는 과정은요", ["의회협력실무"]),  # 기능 of a course, not of the bot
    ("인재원에 의무실도 있나요", ["의무실"]),  # ... whether it is there is
    ("키예프 스마트시티 연수는 몇 월이었어요", ["키예프시 스마트시티과정은 2018년 5월"]),  # a name as written
    ("강사 관리는 어느 과 소관인가요", ["인재양성과"]),  # an everyday word before the copula (소관 → 담당)
    ("저 시청 인사팀인데요 인재원 직원은 총 몇 명이에요", ["118명"]),  # the asker's own team names no finding
    ("경채 원서접수 기간 알려주세오", ["8월 2일"]),  # a mistyped ending (세오) is no word
    ("기본경비 집행률 몇%로 나와요", ["38.3%"]),  # "%" is the word 퍼센트, not a dropped sign leaving "로"
    ("저희 애는 직원 자녀가 아닌데 어린이집 입소 순위가 어떻게 되나요", ["3순위"]),  # a group said not to be theirs
    ("세출 사업 중에 감소폭 가장 큰 거", ["가장 많이 줄어든"]),  # the width of a decrease is a decrease
    ("어린이집에 자리가 생기면 동네 아이도 받나요", ["지역아동"]),  # 자리 생기면 → 결원 (thesaurus)
    ("공채 채점은 누가 해요", ["채점, 면접을 맡고"]),  # a fact that says who does the task named
    ("직급별 승진자 과정 5개가 뭐예요", ["세부 과정"]),  # "5개가" counts: no typo of 개강
    ("2회 공채 원서 낸 사람 중 실제 응시한 비율은", ["54.7%"]),  # 비율 asks a share, which a percentage gives
    ("인생설계 교육 1주짜리 6기는 어떤 분야예요", ["6기 (사회공헌분야)"]),  # a cohort named, nothing dated asked
    ("2차 최합 발표 언제예요", ["11월 14일"]),  # an abbreviation of the report's compound (최종합격)
    ("하반기 경채 원서 언제 받아요", ["8월 2일"]),  # 경채 as written, no typo of 하반기 공채
    ("좀 딴얘긴데요 배움관은 몇 층이에요", ["지상 3층"]),  # a determiner on a function noun: 딴 + 얘기 + 인데요
    ("직장어린이집 1순위는 어떤 법에 나와 있어요", ["영유아보육법"]),  # a law asked: a law's name answers it
    ("전문가 경력직 채용은 어떻게 선발해요", ["서류전형"]),  # the expert hires, not the 3rd round's 경력채용
    ("e-러닝에 IT 과정 몇개 있어요", ["IT 21개"]),  # "it과정" is "IT … 과정" in the fact that counts them
    ("타 시도 공무원 연수는 몇 박 며칠로 해요", ["2박 3일"]),  # "몇 박 며칠" asks how long, not a date
    ("핵심가치 교육 주말에 해요?", ["수, 금"]),  # the weekend asked: the days of the week it runs answer
    ("인생설계 교육 부부동반 여행은 몇 박이에요", ["2박3일"]),  # 부부동반 → 부부 (thesaurus)
    ("하반기 6급 교육 국제반 인원 알려줘요", ["국제반 28"]),  # a fact of the 6급 course, read with its name
    ("교육생급식지원 예산 작년보다 얼마 증액됐어요", ["+135,200"]),  # 증액: an increase of a sum
    # the council as the auditor ("시의회 행감") names no finding about the council's course
    ("시의회 행감에서 종합운동장 관련 지적받은 거 뭐예요", ["분전함"]),
    ("행감 건의사항은 몇 건이었어요", ["건의사항 1건"]),  # the report's own term names the summary
    # the people of all the courses, as planned: the year's plan, not one course's figure
    ("올해 교육인원 계획 전부 합치면 몇 명이에요", ["168,545"]),
    ("인재원 올해 목표 인원이 몇 명이죠", ["168,545"]),  # 목표 인원: a planned figure, not the vision's goals
    # an area of the plan table named without a category: its rows added up (직급 3,495 + 직위 1,525)
    ("집합교육 리더십역량은 몇 명 계획이에요", ["리더십역량 교육계획은 14개 과정, 63회, 5,020명"]),
    # the announcement after the event the asker went through: the final one, after the interview
    ("면접 보고 왔는데 경채 합격자 발표 언제 나와요", ["최종 합격자 발표는 2018년 12월 28일"]),
]
DECLINED = [
    # (question, what the first line says the report lacks)
    # a fee users pay ("보육료") is no budget line of the thing it is paid for
    ("보육료 얼마 받아요?", "보육료는 업무보고에 나와 있지 않습니다"),
    # a day asked of a month ("12월 며칠") is a date in that month, not the round's other dates
    ("사회복지직 추가 공채는 정확히 12월 며칠이었죠", "12월 날짜"),
    # a part the answer only lists among others, with no sum of its own ("재산임대, 사용료, …")
    ("세입 중 재산임대 수입 금액 알려주세요", "재산임대 금액은 업무보고에 나와 있지 않습니다"),
    # a certificate (자격증) is no qualification (자격) a rule asks of
    ("이러닝 자격증 과정은 이수 기준이 어떻게 돼요", "이수기준은 업무보고에 나와 있지 않습니다"),
    # a date asked of a deed is one written next to it, not a year of a clause naming its purpose
    ("어린이집은 언제 설립했나요", "어린이집의 날짜"),
    # the questions of a test themselves: the report tells of a question sheet, quotes none
    ("면접 때 실제로 어떤 질문 나오는지 예시 좀 있을까요", "찾지 못했습니다"),
    # which of the things it names ("무슨 외국어") asks their names, which a count is not
    ("e러닝 외국어 과정은 무슨 외국어예요?", "외국어의 종류"),
    # a count for each sitting ("몇 명씩") is not the exam's total of applicants
    ("면접 볼 때 몇 명씩 들어가나요?", "인원"),
    ("필기 시험 시간 몇 분이에요?", "시간"),
    # the sum of a part the course's record names ("선수학습 운영비") is not the course's budget
    ("신임자 과정 예산 중 선수학습 운영비는 얼마예요?", "선수학습"),
    # "몇 개 팀" counts a department's teams, as "팀이 몇 개" does
    ("인재기획과는 몇 개 팀이 있어요?", "인재기획과"),
    # who made a thing the report names without its maker: the owner's name is no doer
    ("인재개발원 비전은 누가 만들었나요", "비전의 담당자"),
    # nouns written together that MeCab cuts around an adverb (행정 + 안 + 전부) are one word,
    # another body the report does not speak of
    ("행정안전부 신규 공무원 교육은 몇 주예요", "행정안전부"),
    # "어떤" of a set the question counts asks its members; a count with figures
    # ("3개 과정, 13,000명") and the basis line list none of them
    ("이러닝 자격증 과정 3개는 어떤 자격증들이에요?", "목록"),
    # 제목 asks the members' names, as 이름 does
    ("IT 이러닝 21개 과정 제목 알려줘", "제목은"),
    # who a budget line's programme is for is not in a card of money
    ("교육훈련장비확충 사업은 누가 대상이에요", "대상은"),
    # "누가 강의해요" asks who does it (a lecturer), not who may attend
    ("핵심가치 교육은 누가 강의해요", "강사는"),
    # the members of a counted set asked by name, of a plan row that gives only figures
    # ("7개 과정, 26회, 1,480명" lists no courses)
    ("집합교육 인문소양 과정 7개 이름이 뭐예요", "목록은"),
    ("집합교육 기본역량 인문소양 7개 과정 각각 이름", "목록은"),
    # a part of a counted whole ("N명 중에 9급은"): the whole's count is none of the part's
    ("신임자 과정 8기 217명 중에 9급은 몇 명이에요", "9급 인원은"),
    # a year-end forecast asked of a budget line the table gives none for
    ("교육생 급식 예산 연말 집행 예상액 알려줘", "연말 집행 예상액은"),
    # "몇 월" asks a month: a finding's years ("2017년") are none
    ("평정위원 수당 기준은 몇 월에 바꿨어요", "날짜는"),
    # a word many records use (복지) that a fact read under its course's name does not say: the
    # half-year's cohort figures are no count of that field
    ("6급 국제반 복지 쪽은 몇명 뽑았어요", "찾지 못했습니다"),
    # "어디서 해요" with a cue of a place (몇 층) asks where it is held, not who runs it
    ("협치 교육은 어디서 해요? 어느 건물이에요?", "장소는"),
    # a count asked of what the report names only as an example of a group ("노동조사요원 등
    # 25개 분야 27명"): the group's figure is none of its
    ("임기제 중에 노동조사요원 몇 명이에요", "노동조사요원 인원은"),
    # a year asked of a series the report gives year by year, up to the year before
    ("올해 한 부서 평균 재직기간 얼마야", "2018년 수치는"),
    # those who applied, said as people ("원서 낸 사람"), of a round the report gives no such figure
    ("추가 채용시험에 원서 낸 사람은 몇 명이었나요", "원서 낸 사람 수"),
    # a weekend day said by name asks whether it runs then, as 주말 does
    ("일요일에도 강의실 쓸 수 있나요", "주말·휴일 운영 여부"),
    # a suffix's noun typed with the whole question: the noun after the record named, not all of it
    ("신임자과정수강료는얼마예요", "신임자 과정의 수강료는"),
    # a record named beside the one answered about must be in the answer: the building's floors
    # say nothing of where the gym is, and the reply names the building as its subject
    ("배움관 몇 층에 체육시설 있어요", "배움관의 체육시설"),
    ("다솜관 엘리베이터 있어요?", "다솜관의 엘리베이터"),  # said in the question's order
    # names asked of a noun the report names things by (출연기관): a count of them is no name
    ("어린이집 우선입소 되는 근처 기관들 이름 좀 알려주세요", "기관 이름"),
    ("핵심가치 교육 받는 출연기관 이름 뭐예요", "출연기관 이름"),
    # the members of a set the report only counts ("고졸자, 운전 등 18개 직류": two of them)
    ("3차 경채 18개 직류 하나하나 알려주세요", "목록"),
    # one word and the value asked must be said together: "부산광역시 100만원" in a list of other
    # bodies' pay says nothing of whom 부산 recruits
    ("부산광역시는 올해 몇 명 뽑아요", "부산광역시"),
    # a part of a record named only in a list of its parts ("고졸자, 운전 등 18개 직류"): the
    # record's own count is the whole's; the list's keywords are no text of it
    ("3차 시험에서 운전직 선발 인원 알려주세요", "인원"),
    # ... and a word the answer has only as an item of a list with no figure of its own
    ("e러닝 소방직 몇 명 들었어요", "소방직 인원"),
    # a cohort whose number the question says, listed with no count of its own
    ("신임자 과정 131기 몇 명이에요", "131기의 인원"),
    ("신임자 과정 강사 누구여", "강사"),  # "누구여": 누구예요 typed casually
    # an example asked is answered only by a list of that kind the report gives, to 등
    ("역량평가 과제 예시 하나 보여주세요", "예시"),
    ("6급 미래인재 과정 이수 기준 있어요", "이수기준"),  # the rule for completing, not its end date
    # a figure named by a noun with 이유 asked is a cause asked, not the figure again
    ("핵심가치 교육 인원 작년보다 늘어난 이유가 뭐예요", "이유"),
    ("외교부 교육 인원 몇 명이에요", "외교부"),
    ("일반임기제 29개 분야 목록 좀요", "목록"),
    ("인재기획과는 팀별로 몇 명씩 있어요", "팀별 인원"),  # each team's figure: the department's total is none
    ("인재양성과 팀장님은 누구신가요?", "팀장 이름"),  # an honorific "who" asks a person's name too
    ("3차 시험 시험장 어디에요", "장소"),  # 어디 of a place (시험장) asks where it is, not who runs it
    ("경력경쟁 면접장 어디서 봐요", "면접장은"),  # the letter the report lacks said as its word
    # where a thing is seen asks a site: no office, and no "지하" inside "유지하여"
    ("인재개발원 채용 공고는 어디서 봐요?", "찾지 못했습니다"),
    # a word spelt right as a term (공채) starts no typo reading into part of the next word
    ("관세청 공채 경쟁률 알려줘", "찾지 못했습니다"),
    ("핵심가치 공유 교육 하는 장소가 어디인가요", "장소"),  # "공감대" in its text is no place
    # a count of a part the record lists among others ("기술계고졸자, 연구지도직 등") is no count
    # of the whole record's
    ("경력경쟁에서 기술계고졸자는 몇 명 선발해요?", "기술계고졸자의 인원"),
    # a figure of a group that lists the building asked about among others is not its own
    ("다솜관 연면적은 몇 평이에요?", "다솜관"),
    # how many sat an exam: a hiring plan's figures are no count of applicants
    ("추가 채용 시험 응시 인원 알려줘요", "응시인원"),
    # "표" inside a word is a thing of its own (a scoring table), not the report's table
    ("채점 기준표 공개돼요?", ""),
    # ... but a later part that clarifies what the first asks is part of the question
    ("역량평가 어디서 받아요? 장소가 궁금해서요", "장소는"),
    # the names of things asked ("목록", "뭐뭐"): a count of them is none
    ("이러닝 자격증 과정 목록 좀 알려주세요", "목록은"),
    # a building named beside the works answered about must be in the answer, though its name is
    # also the daycare's concept
    ("어린이집에도 cctv 설치돼 있나요", "어린이집은 업무보고에 나와 있지 않습니다"),
    # a length required of the asker ("몇 년 근무해야"): the course's own length is none of it
    ("6급 미래인재 과정 가려면 몇 년 근무해야 돼요?", "근무 기간은"),
    # the teams of one department: the centre's "14팀" is no count of them
    ("인재기획과는 몇 팀이에요", "인재기획과의 팀 수는"),
    # a course whose length the report does not give says so plainly, as a decline
    ("4급 승진리더 과정은 몇 주 동안 해요", "교육기간은 업무보고에 나와 있지 않습니다"),
    ("신임자 과정 선정 기준 알려줘요", "선정기준"),  # a rule of choosing: the plan's figures give none
    ("전문경력관 응시 자격 알려줘요", "응시자격"),  # who may apply: the figures say nothing of it
    # a value asked of what a keyword names: the course's dates are not the field trip's
    ("퇴직 교육 50플러스캠퍼스 체험은 언제 가요", "50플러스캠퍼스 날짜"),
    ("어린이집은 몇 살까지 다닐 수 있어요?", "나이"),  # 몇 살: no age in the answer
    ("배움관 화장실 몇 개 있어요", ""),  # a foreign word
    ("어린이집 보육료는 한 달에 얼마예요", ""),  # a fee is no budget line's cost
    ("신임자 과정 강사료 얼마 받아요", ""),
    ("신임자 과정 강사는 누구예요", "강사"),  # a person by name: the report names no one
    ("경력경쟁 시험 응시수수료 있나요 얼마예요", "응시수수료"),  # 수수료 holds no 수료 (completion)
    ("배움관 예산은 얼마 잡혀 있어요", "배움관의 예산"),  # the report budgets businesses, not buildings
    ("내년 신임자 과정 언제 시작해요?", "2019년"),  # a year named relative to today
    ("2018년 행정사무감사 처리요구 몇 건이에요", "2018년"),  # the report has the 2017 audit only
    ("2차 공채 경쟁률 얼마예요", ""),  # the report gives applicants and posts, no rate
    ("경채 필기시험 과목이 뭐예요", ""),  # a fact about the exam that names no subjects is no answer
    ("시험 문제지 인쇄비 얼마 들었어요", "인쇄비"),  # a cost the answer gives is of something else
    ("시험 감독관 수당은 하루에 얼마예요", ""),  # 감독관 and 수당 are in two unrelated facts
    ("필기 합격 점수 몇 점이에요", ""),  # "몇 점" needs a count in 점
    ("7급 역량평가 1년에 몇번", "7급 역량평가는"),  # a rank the record is not for (4급, 5급)
    ("3급 신임자 과정 언제", "3급 신임자 과정은"),  # 신임자 과정 is for 6~9급
    ("2019년 9급 필기 몇월이에요", "2019년"),  # a date asked of a year must be of that year
    # an adjective as the question's own predicate asks a property the report must give
    ("다솜관 강의실 깨끗해요?", "업무보고에 나와 있지 않습니다"),
    # "정확한 날짜" asks a day: "하반기" is none, and "상시학습" holds no "상시"
    ("5급 역량평가 하반기엔 정확한 날짜가 언제예요", "5급 역량평가의 날짜는"),
    # a cohort with no count of its own: not the program's total, nor another reading's figure
    ("자카르타 교통 연수에는 몇 명 참가했어요", "자카르타 교통과정의 인원은"),
    ("인재양성과 팀장님 이름 좀 알려주세요", "인재양성과의 팀장 이름은"),  # a name asked with a title: a person's
    ("전문경력관은 경력 몇 년 있어야 지원돼요", "전문경력관의 기간은"),  # a number of years is no year (2018년)
    ("어린이집 우선 입소하는 주변 기관은 어디 어디예요", ""),  # the subject's own name is no place
    ("인재원 도로명 주소 알려줘요", ""),  # a building's name is no address
    ("외국도시공무원 연수 참가비 있어요", "참가비는"),  # MeCab reads 비 as a verb: still the cost suffix
    # the report assigns this course to no department; "교육", in every department's duties, names none
    ("퇴직 후 인생설계 교육은 어느 부서가 맡아요", "퇴직 후 인생설계 교육의 담당 부서는"),
    # a compound of the report's words it never writes together ("일반행정") is asked as one
    ("제2회 공채 일반행정 합격자 몇 명이에요", "일반행정"),
    # a sum asked of a kind the answer only lists: the line's sum is not said of it
    ("세입에서 수수료 수입은 얼마예요", "수수료"),
    # "무슨 직렬" asks a series: a category's headcount gives none
    ("지방의무직 채용은 무슨 직렬로 뽑나요", "지방의무직의 직렬은"),
    ("전문경력관은 어떤 직렬로 채용해요", "전문경력관의 직렬은"),
    # "일반행정" is an administration: its 일반 is no daycare group (일반 영유아)
    ("7급 일반행정 면접 과목은 뭐예요", ""),
    # a cost named and asked yes or no: an answer that says nothing of money is none
    ("인생이모작 준비 과정 비용은 본인 부담인가요", "인생이모작 준비 과정의"),
    ("인재원 14개 팀 이름 좀 알려주세요", "팀 이름"),  # the report counts the teams, names none
    # "경험이 풍부한 강사 초빙 예정" describes a lecturer, names none
    ("의회협력실무 강사님 누구 오세요", "의회협력실무의"),
    # a cohort named by its field: its own (missing) date, not the program's next cohort
    ("퇴직자 재취업분야 교육은 며칠에 시작해요", "1주 교육 4기 (재취업분야)의 날짜는"),
    # a figure per unit is no total; the record is named by its name, not the tail matched
    ("e러닝 콘텐츠 한 과정당 개발비는 얼마 들어요", "e-러닝 콘텐츠 개발의 과정당 개발비는"),
    ("직장어린이집 운영 예산 아이 1인당 얼마예요", "인당"),
    # a count of the people one role names: the exam's other counts (응시, 채용계획) are none of it
    ("경력경쟁 임용시험 필기 합격자는 몇 명 나왔나요", "합격자 수"),
    ("제1회 공채 응시자 몇 명 왔어요", "응시자 수"),
    # a value asked of a half of the year: the first half's cohorts give no city of the second
    ("하반기 외국도시공무원 연수는 어느 도시 공무원들이 와요", "하반기"),
    # a rank's count asked of a round for several ranks: the round's whole count is none of it
    ("제2회 공채에서 7급은 몇 명 뽑았어요", "7급 인원"),
    ("신임자 과정 평가 방식은요", "신임자 과정의 방식"),  # a way asked that no answer names
    ("5급 역량평가 한 달에 몇 번 해요", "월별 횟수"),  # the year's count is no count per month
    ("종합운동장 하루 빌리면 얼마예요", "금액"),  # renting it: "얼마" asks a sum of money
    ("인재원 새 건물은 언제 다 지어요", "날짜"),  # "언제 다 지어" (two spaces) is no typo of 언제까지
    ("1회 공채 경쟁률은 몇이었어요", "경쟁률"),  # a rate asked: only a percentage gives it
    ("노동조사요원 임기제 원서 접수 언제 해요", "날짜"),  # "상반기 실적" labels results, dates nothing asked
    ("포토샵 사용법 알려줘", ""),  # help with something else is no question of the bot's menu
    ("저는 한부모 워킹맘이에요 그럼 어린이집 수강료는요", "수강료"),  # the question after 그럼 is still gated
    ("모레 서울에 비 와요?", ""),  # a noun MeCab reads as a prefix ("비"), standing alone, is a word
    ("숙직실 노후시설 교체는 언제 했어요?", "날짜"),  # "2018년 당직실 개선 공사" labels, dates nothing
    ("역량평가 장소가 어디예요", "장소"),  # a place asked: the department to ask is none
    ("기본경비는 왜 줄었나요", "이유"),  # a cause asked of a figure, which no budget line gives
    ("도서실은 늦게까지 열어요?", "있다는 것 외에"),  # a facility only named: how it runs is not given
    ("구내식당 맛있어요?", "있다는 것 외에"),
    ("공채 시험 보는데 나이 제한 없나요", ""),  # 나이 is no pronoun 나 with a particle
    # a date asked of one course's trip: the list of every course holds the words, but is no
    # reading of the course named
    ("퇴직자 교육 문화탐방 가는 날 몇월 며칠", "문화탐방 날짜"),
    ("교육생 급식 한 끼에 얼마 들어요", "1끼당 금액"),  # the cost of one meal, which a yearly budget is not
    ("신임자 과정 몇박 며칠이에요", "숙박 일수"),  # nights asked: a course of 5주 gives none
    ("도서실 주말에도 이용할 수 있나요", "주말·휴일 운영 여부"),  # the days it opens, which the report gives not
    ("9급 공채 합격률 몇 퍼센트예요", "합격률"),  # a rate of a known word (합격) the report never gives
    ("6급 미래인재 과정 근거 법령 알려주세요", "근거법령"),  # the course's figures name no law
    # the card's own line says its count is not given: that leads, not the count of another course
    ("서기관 역량평가 올해 몇 번 해요", "횟수나 인원은"),
]


@pytest.mark.parametrize(("question", "facts"), ANSWERED)
def test_everyday_phrasings_are_answered(brain: Brain, question: str, facts: list[str]) -> None:
    reply = brain.answer(question, now=NOW)
    assert reply.intent is not None, reply.text
    for fact in facts:
        assert fact in reply.text, reply.text


@pytest.mark.parametrize(("question", "noun"), DECLINED)
def test_what_the_report_lacks_is_declined(brain: Brain, question: str, noun: str) -> None:
    reply = brain.answer(question, now=NOW)
    assert reply.intent is None, reply.text
    first = reply.text.split("\n")[0]
    assert noun in first


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("과가 몇 개예요", True),
        ("팀은 몇 개 있어요", True),
        ("교육과 연수 몇 명이에요", False),  # a particle
        ("신임자 과정 언제예요", False),  # inside a word
        ("팀장 과정 몇 명이에요", False),
    ],
)
def test_a_name_of_one_syllable_is_read_only_as_a_noun_alone(brain: Brain, question: str, named: bool) -> None:
    u = brain.understander.understand(question, NOW.date())
    assert ("concept.org" in u.features) is named, u.matches


@pytest.mark.parametrize(
    ("word", "noun"),
    [
        ("어디서", "장소"),
        ("언제", "날짜"),
        ("정확한날짜", "날짜"),
        ("몇 명", "인원"),
        ("몇살", "나이"),
        ("몇 대", "대수"),
        ("얼마", "금액"),
    ],
)
def test_a_question_word_is_named_by_what_it_asks(word: str, noun: str) -> None:
    assert asked_noun(word) == noun
    assert asked_noun("수강료") == "수강료"


def test_thanks_and_greetings_answer_no_question_but_help_does(brain: Brain) -> None:
    first = brain.answer("2차 필기 합격자 발표 언제예요?", now=NOW)
    thanks = brain.answer("넵 감사해요", first.context, now=NOW)
    assert thanks.intent is None and "8월 22일" not in thanks.text
    assert brain.answer("안녕하세요~", now=NOW).intent is None
    assert brain.answer("뭘 물어볼 수 있어?", now=NOW).intent == "smalltalk.help"


def test_a_run_without_spaces_is_spaced_only_into_known_words(brain: Brain) -> None:
    spaced = brain.understander.respaced
    assert spaced("핵심가치협치교육올해언제부터언제까지하나여") == "핵심가치 협치교육 올해 언제부터 언제까지 하나여"
    # a word nothing knows inside the run (나이, 아파트): no spacing is sure, and none is made,
    # so a question the report cannot answer is not read as one it can
    for run in ("서울시공채응시나이제한있어요", "서울아파트전세시세어때요"):
        assert spaced(run) == run
        assert brain.answer(run, now=NOW).intent is None
    assert spaced("신임자 과정 언제") == "신임자 과정 언제"  # (short words are left as typed)


def test_a_number_or_a_cut_word_is_no_lead_in(brain: Brain) -> None:
    for text, rest in (("네 그럼 면접은 언제예요", "면접은 언제예요"), ("혹시 그 중 의무직은", "그 중 의무직은")):
        assert brain.turns.past_lead_in(text) == rest
    for text in ("네 개 기관이 어디어디예요?", "예 산 얼마예요"):  # four institutions; 예산 cut in two
        assert brain.turns.past_lead_in(text) is None


def test_a_greeting_opens_a_question_and_greets_only_when_alone(brain: Brain) -> None:
    asked = brain.answer("안녕하세요~ 5급 역량평가는 올해 몇 번 해요", now=NOW)
    assert asked.intent == "assessment.info" and "10회" in asked.text.split("\n")[0]
    trip = brain.answer("안녕하세요 퇴직예정자 교육에 부부가 같이 가는 프로그램도 있나요", now=NOW)
    assert trip.intent is not None and "부부" in trip.text.split("\n")[0]
    for greeting in ("안녕하세요 반갑습니다", "안녕하세요 좋은 아침입니다"):
        hello = brain.answer(greeting, now=NOW)
        assert hello.intent is None and "안내 챗봇" in hello.text
    bye = brain.answer("감사합니다 안녕히계세요", now=NOW)
    assert bye.intent is None and "좋은 하루" in bye.text
    lacking = brain.answer("안녕하세요 주차장 있어요", now=NOW)
    assert lacking.intent is None and "안내 챗봇" not in lacking.text


DIALOGUES = [
    # turns, and what the last reply must (and must not) hold
    # last year asked alone after an answer that gave its figure beside this year's: that sentence
    (
        ["올해 공무원 채용계획 전체 몇 명이에요", "공개 경력경쟁만 보면?", "작년엔 몇 명이었죠?"],
        "2,630명",
        "추가 공개경쟁",
    ),
    # a half of the year and a word for a course ("하반기 과정") name no one course's cohort
    (["외국도시 공무원 연수는 보통 어떻게 진행돼요?", "그럼 하반기 과정은 몇 명 규모예요?"], "120명", "국내반"),
    # "그중에" with a word the report never uses is no question of the last answer's sentence
    (
        ["e러닝 IT 과정은 몇 개예요?", "그중에 블록체인 과정도 있나요?"],
        "블록체인은 업무보고에 나와 있지 않습니다",
        "21개 과정",
    ),
    # last year asked of a figure whose record gives this year's only: said to be lacking
    (
        ["직위 직급별 리더십 교육 예산 얼마예요", "작년보다 많아진 거예요?"],
        "2017년은 업무보고에 나와 있지 않습니다",
        "집행률",
    ),
    # a rank alone after a course for another rank: the sibling course written with that rank
    (["4급 승진대상자 역량이해교육 몇 명 계획이에요?", "그럼 5급 대상자 건요?"], "10회 500명", "2회 50명입니다"),
    # another year asked of a course its own record has none of: the whole program's, said as such
    (["4급 역량이해교육 올해 몇 회예요", "작년엔 수료 인원 몇 명이었어요?"], "468명 수료", "2017년은 업무보고에"),
    # a bare "다음 기수" after a card that told of the next cohort asks that cohort, not the one after
    (["신임자 과정 상반기엔 몇 명 교육했어요?", "다음 기수 언제 시작하죠"], "제8기", "제9기"),
    # the centre named with a kind of record asks its own records of that kind, not the last one
    (["창의관은 몇 층짜리 건물이에요?", "인재원 전체로 보면 건물이 몇 동 있어요?"], "4개동", "창의관의"),
    # an exam's event taken over is no part of a later question that names a course of its own
    (
        ["신임자 과정 언제 시작해요?", "면접 질문 뭐 나와요?", "386회면 이러닝은 빠진 숫자인가요?"],
        "집합교육 횟수만",
        "hrd.seoul.go.kr",
    ),
    # "X만 따지면" asks the last question again, of X only
    (["올해 채용 계획 전체로 몇 명이에요?", "그럼 공개경쟁 경력경쟁만 따지면요?"], "2,984명", "원서접수:"),
    # a weekday asked alone of the subject taken over is found in the last answer's lines
    (["핵심가치 교육은 어떤 교육이에요?", "그건 무슨 요일마다 해요?"], "수, 금", "나와 있지 않습니다"),
    # a bare subject after a row of the training plan asks the same of its row
    (["집합교육 올해 계획 인원이 몇 명이에요?", "그럼 e러닝 쪽은요?"], "149,330명", "hrd.seoul.go.kr"),
    # (a group taken over from the last turn is not the asker's own)
    (
        ["어린이집 1순위는 누구예요?", "저흰 그냥 평범한 집인데 몇 순위예요?"],
        "해당하지 않으면",
        "기초생활수급자, 한부모가정 등은 1순위",
    ),
    # a half asked of a course taken over whose record has no half: the whole program's half leads
    (["팀장 리더십 과정 계획 인원 몇 명이에요?", "하반기엔 몇 회 해요?"], "20회", "찾지 못했습니다"),
    # another cohort number after one cohort of a track: that track's cohort, not "not in the report"
    (["퇴직 후 인생설계 2주 교육 4기 언제예요?", "3기는요?"], "10월 15일", "업무보고에 있는 기수"),
    # the units of the department talked about, asked after it: not the centre's 14팀
    (["교재 발간은 어느 과에서 해요?", "그 과는 팀이 몇 개예요?"], "팀 수는", "담당합니다"),
    # a fact's keyword that asks ("몇 명", the staff's figure) is no subject of the turn's own
    (["퇴직 후 귀촌 관련 과정도 있나요?", "몇 명 규모로 해요?"], "120명", "118명"),
    # letters of a lead-in typed on to thanks ("ㅇㅋ감사요") are thanks, not the last subject again
    (["신임자 과정 몇 명 받아요", "ㅇㅋ감사요"], "더 궁금한 점", "2,276"),
    # the interview's way asked apart ("면접은 어떤 방식"), after an exam round's date
    (["2회 공채 필기 언제예요", "7급 면접 방식은 어떻게 돼요?"], "집단토론", "업무보고에 나와 있지 않습니다"),
    # "그중" typed on to the next word is no 중국 (China)
    (["6급 미래인재 과정 하반기 몇 명이에요", "그중국제반은몇명이에요"], "28", "업무보고에 나와 있지 않습니다"),
    # a turn with no word of its own asks of the subject taken over, not of another record of
    # its section (the Cairo workshop of the same chapter is no place of the forum)
    (["국제연수정책포럼 몇 월에 열려요", "어디서 하는데요"], "업무보고에 나와 있지 않습니다", "카이로"),
    # a word the report never uses (시공사) is in no sentence of the last answer either
    (
        ["배움관은 몇 층이에요", "배움관 옥상 방수 공사 시공사는 어디예요"],
        "업무보고에 나와 있지 않습니다",
        "2018년 상반기 추진실적으로",
    ),
    # "1주짜리" is the 1주 the report writes: the line of the 1-week cohorts answers
    (["은퇴 앞둔 공무원 교육 뭐 있어요", "1주짜리 과정 인원은?"], "120명", "업무보고에 나와 있지 않습니다"),
    (["5급 역량평가 올해 몇 번 해요", "남은 거는"], "5급", "더 궁금한 점"),  # a bare topic asks about it
    (["퇴직자 교육 2주짜리 3기 언제예요", "그 담 기수는?"], "4기", "3기는"),  # "그 담": 그 다음, said short
    # "…하나여" asks (하나요 typed casually) of a thing of its own, not the length asked before
    (["6급 미래인재 과정 기간 얼마나 돼요", "빅데이터 교과도 하나여"], "빅데이터", "교육기간은"),
    # a course named in part right after a course whose text holds those words is a part of it
    (["6급 미래인재 과정 몇 명이에요", "4차산업 교과는 몇 시간 들어요"], "171시간", "업무보고에 나와 있지 않습니다"),
    # an everyday word typed with the rest of the turn and no spaces is still that word (폰: 모바일)
    (["이러닝 어디서 수강해요", "폰으로도들을수있어요?"], "앱", "업무보고에 나와 있지 않습니다"),
    # ’18.6.30. (the date a budget's figures were counted on) is no day of a forum asked
    (["2018 국제연수정책포럼 몇 월에 해요", "며칠인지 정확히 알 수 있어요?"], "날짜", "집행"),
    # a thing named as the way the course is had ("이러닝으로도") asks of the course
    (["민간위탁사업 실무 교육 몇 명 받아요", "이러닝으로도 들을 수 있어요?"], "2019년부터 운영", "hrd.seoul.go.kr"),
    # the members of a set the last answer only counted are not in it either
    (["어린이집 먼저 들어갈 수 있는 사람 누구예요", "그 4개 기관 이름 다 알려주세요"], "나와 있지 않습니다", "최우선"),
    # a word of the subject's own name is no kind of place ("포럼 장소": where the forum is)
    (["국제연수정책포럼 11월에 하죠?", "포럼 개최 장소는요"], "장소는 업무보고에 나와", "11월에 진행됩니다"),
    # a thing the last answer named, asked what it did not show: the report's fact of it
    (["인재원 건물 새로 짓는 거 사실이에요?", "그 용역 계약은 언제였어요"], "4. 23. 용역 계약", "나와 있지 않습니다"),
    # words that only lead into a turn leave it as it is
    (["하반기 임기제 몇 명 더 뽑아요", "혹시 그 중 의무직은"], "의무직 2", "업무보고에 나와 있지 않습니다"),
    # a lead-in word is no typo of a name: "그럼 운영" is no 프로그램운영
    (["어린이집 건물 몇 층이에요", "그럼 운영 예산은 얼마예요"], "220,151", "HRD"),
    # "그중 X는?" asks X's figure in the list the last answer gave
    (["하반기에 임기제랑 전문경력관 몇 명 더 채용해요", "그중 의무직은?"], "의무직 2", "업무보고에 나와 있지 않습니다"),
    # the exam's results that named whom a course is for are not what its answer was about
    (["1회 공채 합격자는 신임자 교육 언제 들어가요", "그 기수 인원은 몇 명인가요"], "217명", "응시"),
    # the plan's other way of training named after e-러닝 leaves e-러닝 behind
    (["이러닝은 올해 과정 몇 개 운영하나요", "집합은 몇 명이에요"], "19,215명", "149,330"),
    (["이러닝 교육 인원 몇 명이에요", "집합교육 쪽은 과정 몇 개예요"], "124개 과정", "106개"),
    # ... and a course of no way of training at all, for the plan's row the turn names
    (["재난안전실무 교육 하반기에 몇 명으로 늘려요", "그럼 IT 집합교육은 과정 몇 개예요"], "51개 과정", "재난안전"),
    # the context keeps the concepts its answer read: "직원" said of oneself brings no staff talk
    (
        ["어린이집 들어가는 순서 어떻게 정해요", "직원은 아니고 근처 주민인데 애 보낼 수 있어요?", "정원 몇 명이에요"],
        "나와 있지 않습니다",
        "118명",
    ),
    # a length the cohorts' names hold names those cohorts of the course talked about
    (
        ["퇴직 후 인생설계 교육 2주 과정 3기 일정 알려줘요", "그럼 1주 과정은 분야가 뭐뭐예요?"],
        "귀농·귀촌분야",
        "3기 일정은",
    ),
    # a name written with its space, after 그, is still that name ("그 2회 시험")
    (["경채 원서접수 언제예요", "그 2회 시험 원서는 몇 명이 냈어요"], "124,259", "418명"),
    # 고치다 (to repair) asks the works, as 보수 and 수리 do
    (["청사 보수보강 예산 얼마 잡혀 있어요", "그걸로 상반기에 뭘 고친 거예요?"], "방수", "1,124,000천원"),
    # a follow-up whose words the last reading of the subject holds, and its own reading lacks
    (
        ["인재원 어린이집 입소 순서 알려주세요", "아하 넵", "그 직원은 무슨 기관 직원이어야 돼요"],
        "4개 기관",
        "지상 1층",
    ),
    # a turn that asks the whole leaves the plan row spoken of before: "작년은?" is of the whole
    (
        ["이러닝 과정 올해 몇 개예요", "IT는 그중 몇 개?", "올해 이러닝 전체 목표 인원은?", "작년 거는요?"],
        "142,870",
        "6,730",
    ),
    # a word that only leads into the turn ("그럼") does not hide that it asks another year
    (["올해 이러닝 전체 목표 인원은 몇 명이에요", "그럼 작년엔요?"], "142,870", "홈페이지"),
    # a thing done that the subject talked about does not hold is asked on its own
    (["6월 23일 필기시험 응시율 어떻게 돼요?", "그날 시험장 확보는 어디서 맡았어요"], "자치구", "인재채용과에서 담당"),
    # "일반" alone names no daycare rank: "일반 주민도" in talk of e-learning stays with e-learning
    (
        ["이러닝 수강 대상 알려주세요", "일반 주민도 들을 수 있어요?", "그럼 접속 주소 다시 알려줘요"],
        "hrd.seoul.go.kr",
        "순위",
    ),
    # "그 시험" names the kind of the subject talked about: it goes on with it
    (["2회 공채 응시율 얼마였어요", "그 시험 뽑는 인원은 몇 명이었어요"], "1,971", "나와 있지 않습니다"),
    # a word that refers to what the last answer told ("그건"): its sentence with the date asked
    (["시험지 줄간격 좁다는 민원 처리 결과 알려주세요", "그건 언제부터 바뀐 거예요?"], "2017년 9월", "18건"),
    # ... or a date asked of a thing done ("적용"): the measure the finding told of, not the next exam
    (["시험지 줄간격 좁다는 민원 처리 결과 알려주세요", "시험은 언제부터 적용된 거예요?"], "2017년 9월", "원서접수"),
    # ... or since when (부터) a thing told changed
    (["시험지 줄간격 좁다는 민원 처리 결과 알려주세요", "시험 언제부터 바뀐 거예요?"], "2017년 9월", "원서접수"),
    # who may go, asked after the daycare's priorities: the daycare's, with the rule for vacancies
    (
        ["인재원 어린이집 입소 순위 알려주세요", "저희는 직원은 아니고 그냥 근처 살아요 애 보낼 수 있어요?"],
        "지역아동",
        "살아요",
    ),
    # an announcement asked of another round is either of that round's, not the one just spoken of
    (["2차 필기 합격자 언제 발표해요", "1차 공채 합격 발표는 언제였어요?"], "6월 13일", "나와 있지 않습니다"),
    # "각각" refers to the items the last answer listed: its sentence with their months
    (["메트로폴리스 회원도시 대상 연수는 뭐뭐 했어요?", "각각 언제였어요?"], "자카르타 교통 5월", "핵심가치"),
    # a thing the last answer named, pointed at with 그: its sentence with the value asked, or
    # plainly that the report does not give it
    (["청사 보수 공사 뭐 했어요", "그 공사 비용은 얼마였어요?"], "90백만원", "나와 있지 않습니다"),
    (["인재원 직장어린이집 0순위는 누구예요", "그 네 개 기관이 정확히 어디예요?"], "네 개 기관의 장소는", "어린이집의"),
    # "인원 목표" asks a headcount: no vision's goals go on into the next turn
    (["IT 역량 과정 인원 목표는", "작년에는 몇 명이었죠?"], "2017년 59개 과정", "나와 있지 않습니다"),
    # who ran one course the report gives with its partner in brackets: that partner, not the
    # department that runs all international training
    (["외국도시공무원 연수 중 자카르타 교통과정은 어떤 과정이에요", "그건 누가 맡았어요?"], "교통정책과", "인재기획과"),
    # a side question the report cannot answer ("거기 … 기숙사") leaves the conversation with its
    # subject, also after a first turn whose date the report does not give
    (["7급 승진자 과정 날짜 언제예요", "거기 교육생 기숙사 있어요?", "그럼 몇 명 들어요?"], "4회 120명", "단위과제"),
    (["5급 역량평가 몇 명 계획이에요", "거기 점심은 뭐 나와요?", "하반기엔 몇 번 남았어요?"], "5회", "구내식당"),
    # a figure of the group a course is listed in is no figure of the course; "…도 있어요?" asks
    # whether there is one, not the last question again
    (
        ["4차 산업혁명 교육 인원은요", "3D프린터 과정 정원이 몇 명이에요"],
        "교육인원은 업무보고에 나와 있지 않습니다",
        "2,172",
    ),
    (["4차 산업혁명 교육 인원은요", "드론 관련 과정도 있나요?"], "드론 이해와 활용사례 과정", "나와 있지 않습니다"),
    # the next cohort after the one the last turn named is any of the course's, not only that one
    (
        ["퇴직 후 인생설계 2주 교육 3기 언제 해요", "그 다음 기수는 언제예요?"],
        "2주 교육 4기는 2018년 11월 5일",
        "4기 일정은",
    ),
    # an event said as the topic before "그 다음" is the one asked ("면접은 그 다음 언제"), not
    # the one after it
    (["경채 필기 합격자 발표 언제예요", "인성검사는 그 다음 언제야"], "인성검사는 2018년 11월 24일", "면접시험은"),
    # "담엔" is 다음엔 said short: what comes after the step just answered
    (["경채 필기 합격자 발표 언제예요", "담엔 뭐 있어요?"], "인성검사", "나와 있지 않습니다"),
    # the course's card tells of its next cohort: "그 다음" goes on from that one
    (["신임자 과정 알려주세요", "그럼 그 다음 기수는?"], "제9기는 2018년 8월 27일", "제8기는"),
    # the centre's own staff asked after a course: a subject of its own, not the course's headcount
    (["신임자 과정 몇 명이에요", "인재원 직원은 다 합쳐 몇 명이에요"], "118명", "2,276명"),
    # a half of the year the cohort spoken of is not in asks of its program
    (["타슈켄트 물관리과정은 언제였어요", "하반기엔 몇 명 와요"], "120명", "나와 있지 않습니다"),
    # a word only one course of the program spoken of has in its name names that course
    (["외국도시공무원 연수 상반기에 몇 명 왔어요", "포럼은 시기가 언제쯤이에요"], "11월", "나와 있지 않습니다"),
    # a sentence of the last answer that says the report lacks what it names answers nothing
    (["경력경쟁 채용 몇 명이에요", "필기시험 몇일날이에요"], "나와 있지 않습니다", "11. 24."),
    # a value asked of the subject taken over, with no word of its own: a fact of it gives it
    (["핵심가치 공유 교육 몇 명 받아요", "요일은요?"], "수, 금", "나와 있지 않습니다"),
    # a record named to be left out is not taken over: the other facilities, not its card again
    (["도서실은 어디 있어요", "도서실 빼고 또 어떤 시설 있어요"], "구내식당", "도서실의"),
    # a follow-up read with the event taken over said before it: "면접 결과" is the final result
    (["2회 공채 면접은 언제 봐요", "결과는 언제 알 수 있어요"], "최종 합격자 발표는 2018년 11월 14일", "면접시험은"),
    # the cost of a course to its trainee ("교육비") names no budget line: 교육 is every course
    (["퇴직 후 인생설계 교육 몇 명이에요", "교육비는 내야 돼요?"], "교육비는 업무보고에 나와 있지 않습니다", "384,488"),
    # 다음 said short after 그 ("그담엔"): what comes next
    (["2차 면접 언제예요", "그담엔 뭐 있어요"], "최종 합격자 발표", "담은"),
    # a sub-course's budget is its program's line, named as it is: not the centre's whole budget
    (["5급 승진대상자 역량이해교육 몇 번 해요", "그거 예산 얼마 잡혔어요"], "196,590천원", "15,073,737"),
    # courses for a rank that are one program and its own courses: the follow-up is about it
    (["정년 앞둔 직원 교육 있어요", "대상은 누구인가요"], "공로연수자", "찾지 못했습니다"),
    # the date of next year's exam: no date of a text that speaks of next year, nor this year's
    (["서울시 필기 타시도랑 같은 날 되는 거 언제부터예요", "내년 시험 날짜도 나왔어요?"], "", "응시 67,959명"),
    # "합격자 발표" names two announcements: the one just spoken of; an exam's weekday is its date's
    (["2차 필기 합격자 발표 언제예요", "합격자 발표 무슨 요일이에요"], "8월 22일(수)", "11월 14일"),
    (["신임자 과정 8기는 언제 시작하나요", "그 다음은요"], "8월 27일", "신속한 조직적응"),  # the same question, next
    # a rank alone after a course's headcount: the same question of its sibling for that rank
    (["6급 승진자 과정 교육 인원 몇 명이에요", "7~8급은요"], "4회 120명", "에게 해당하는 교육과정"),
    # the question's own words pick the cohort over the one carried over, which is not dated
    (["퇴직 후 인생설계 교육 4기 언제 시작해요", "귀농 과정은 날짜 있어요?"], "", "11월 5일(월)에 시작"),
    # the cohort an answer was about goes on; a period it is not in asks of its program
    (["퇴직자 교육에서 사회공헌 분야는 몇 기예요", "그건 언제 해요"], "6기 (사회공헌분야)의 날짜는", "2주 교육 3기"),
    (["타슈켄트 쪽 연수 주제가 뭐였죠", "하반기에는 몇 과정 해요"], "7개 과정", "나와 있지 않습니다"),
    # "발표" names two announcements; what comes after the one just spoken of
    (
        ["경채 필기 합격 발표 언제 나요", "발표 나고 그 다음엔 뭐 있어요"],
        "인성검사는 2018년 11월 24일",
        "필기 합격자 발표는",
    ),
    # a course whose program alone has cohorts in the report: the program's cohort
    (["인생이모작 과정 인원 알려주세요", "2주짜리 4기는 며칠부터예요"], "11월 5일", "4기 일정은 업무보고에"),
    # a change asked ("늘리나요"): the fact that says it, in the report's word (확대)
    (["재난안전실무 얼마나 늘리나요"], "7회 900명", "찾지 못했습니다"),
    # what a course did this year ("뭐 했어요"): its record of what was done (실적)
    (["외국도시공무원 연수 지금까지 뭐 했어요"], "106명", "찾지 못했습니다"),
    # a named place of a kind ("50플러스캠퍼스") answers "어디로 가요"
    (["퇴직 교육 현장체험은 주로 어디로 가요"], "50플러스캠퍼스", "찾지 못했습니다"),
    # a rank named in the last turn made no subject of its own: a course named now starts fresh
    (["7급 공채 필기 언제 치러요", "퇴직준비 과정 2주짜리 언제 해요"], "10월 15일", "필기시험은"),
    # a stage said ("3단계") keeps the lines that say it: what that stage builds
    (["LMS 고도화 올해 3단계는 뭘 구축해요"], "스마트캠퍼스", "찾지 못했습니다"),
    # the asker's own action ("합격했는데") is no action the answer must hold: the cohort goes on
    (
        ["1회 공채 붙었는데 신임자 과정 언제 들어요", "같이 듣는 인원은요"],
        "제8기: 2018년 7월 23일(월) ~ 8월 24일(금), 217명",
        "찾지",
    ),
    # a course's card with the facts its words name: the cohort that splits into the two classes
    (["미래인재 과정 국내반 국제반 따로따로 알려줘요"], "국내반 69", "찾지 못했습니다"),
    # a cohort number two tracks share: the track the question's words name, said once
    (["은퇴교육 2주짜리 4기 일정 좀"], "11월 5일(월)에 시작", "날짜 미정"),
    # a length said names the cohorts of that length, by their own names ("1주" is in a 2주 cohort's note)
    (["은퇴 앞둔 분들 교육 있나요", "2주 과정 두 기수 날짜요"], "11월 16일", "재취업분야"),
    (["이러닝 과정은 몇 개나 운영해요", "하반기엔 몇 명 계획이에요?"], "e-러닝", "역량평가"),  # concept carried
    (["어린이집 건물은 몇 층짜리예요", "그럼 예산은 얼마예요"], "220,151", "15,073,737"),  # its budget line
    (
        ["경력경쟁 시험 면접 언제 봐요", "최종 합격자 발표는요?"],
        "12월 28일",
        "면접시험은",
    ),  # 최종 with the round taken over
    (["2차 공채 몇 명 뽑아요", "그럼 경기도는?"], "", "평정위원"),  # a fact about the subject only
    (["5급 역량평가 언제 하나요", "담당 부서는?", "거기 사람은 몇 명이에요?"], "28명", "450명"),  # 거기: the answer's
    (["신임자 과정 언제 시작하나요", "언제까지 해요?"], "8월 24일(금)에 끝납니다", "에 시작합니다"),
    (["신임자 과정 언제 시작하나요", "끝나는 날도 알고 싶습니다"], "8월 24일(금)에 끝납니다", "더 궁금한"),  # no remark
    (["2차 필기 합격자 발표가 며칠이에요", "그다음 일정은요?"], "인성검사는 2018년 9월 8일", "필기 합격자 발표는"),
    # the audit finding stays the subject; a few letters of a long name are no new one
    (
        ["시험일 타 시도랑 통일하라는 행감 지적 어떻게 처리됐어요", "그 계획은 언제 수립했어요?"],
        "10. 11.",
        "타 시도 연수",
    ),
    (["필기시험일 통일하라는 감사 요구 결과 알려주세요", "계획 수립은 언제였어요"], "응시자격등변경계획", "58,765"),
    # after an audit finding, the finding is the subject: not "필기" it was found by, nor exams in general
    (["필기 날짜 다른 시도와 통일하라는 지적 처리결과 알려주세요", "그 계획은 언제 만들었어요"], "10. 11.", "6월 23일"),
    (["세출예산 총액 알려줘", "그 중 가장 많이 늘어난 건요?", "반대로 제일 많이 깎인 건?"], "공무원채용", "교육생급식"),
    (["팀장 리더십 과정 몇 명이에요", "과장은요"], "30명", "125명"),  # the course beside it, for that rank
    (
        ["면접 시간 얼마나 늘었어요", "그럼 7급은요"],
        "105분",
        "해당하는 교육과정",
    ),  # a rank alone goes on with the topic
    (
        ["5급 역량평가 몇 번 해요", "작년엔 몇 번이었어요?"],
        "2017년 8회 446명",
        "해당하는 교육과정",
    ),  # ’17, written out
    (["외국도시공무원 연수 예산 얼마예요", "작년 건요?"], "", "2017년 예산은"),  # no 2017 figure: said so
    (["e러닝 과정 몇 개예요", "수강 인원은요"], "149,330명", "찾지 못했습니다"),  # the course, not its field
    # one business in two tables: its short name (보수보강) names both, a new subject
    (["어린이집 운영 예산 얼마예요", "보수보강 쪽은 집행률 어떻게 돼요"], "43.3%", "어린이집의"),
    # a plan row of e-learning goes on: its last year
    (["핵심가치 이러닝 과정은 올해 계획인원 몇명", "그럼 작년엔 몇 명이었어요"], "30,550명", "149,330명"),
    # a bare follow-up asks again what the last turn asked (a count), not the first turn's date
    (["1회 공채 최종 발표 언제였죠", "몇 명 뽑혔어요", "처음 계획으론"], "채용계획 301명", "6월 13일(수)입니다"),
    # "이 사업": the subject before, not the total of all business read across the space
    (["신임자 과정 올해 몇 명 들어요", "이 사업 예산은 얼마예요"], "1,816,633천원", "사업예산(계)"),
    # "… 있어요?" asks whether a thing is there, not the count the last turn asked
    (
        ["핵심가치 교육 올해 몇 회 해요", "상반기에는 몇 번 했나요", "설문 결과도 있어요?"],
        "36%p",
        "계획은 40회 5,000명입니다",
    ),
    # a declined turn about a cohort keeps the cohort: "the next" is the one after it
    (["신임자 과정 8기는 언제 시작하나요", "8기 교재는 나눠줘요?", "그 다음 기수는요"], "제9기", "제8기는"),
    # a word some cohorts of the course taken over have in their names names them, each with its month
    (["타슈켄트 물관리과정은 몇 월이었어요", "스마트시티는요"], "키예프시 스마트시티과정은 2018년 5월", "나와 있지 않"),
    # a duty named after one department's answer is asked of the department that has it
    (["국제연수는 어느 부서가 맡아요", "그럼 강사관리는요"], "인재양성과에서 담당", "나와 있지 않"),
    # a half of the year asks its results, not the plan row taken over
    (["e러닝 IT 과정 계획 인원 몇 명이에요", "상반기에는 몇 명이 들었나요"], "118,200명", "6,890명입니다"),
    # "무슨 업무" of the department taken over names no other department
    (["인재채용과 인원이 몇 명이죠", "거기는 무슨 일을 해요"], "5급 승진 역량평가", "인재기획과"),
    # a superlative alone ranks the figure the last turn ranked, the other way
    (["세출 사업 중 집행률 가장 낮은 곳은?", "가장 높은 곳은요?"], "가장 높은 사업은 e-러닝콘텐츠개발", "집행률 9.7%)"),
    # "예산은요" after "담당 부서는?" goes on with the subject; only "거기" points at the department
    (["5급 역량평가 몇 번 해요", "담당 부서는 어디예요", "예산은 얼마예요"], "793,140", "15,073,737"),
    # the next cohort
    (["신임자 8기 언제 시작해요", "다음 기수는 언제 시작하나요"], "제9기는 2018년 8월 27일", "제8기는"),
    (["신임자 과정 1년에 몇 번 열려요", "상반기엔 몇 명이 들었나요"], "1,824명", "찾지 못했습니다"),  # 상반기엔
    # a concept of the same field goes on with the last turn's ("우선순위" after a daycare answer)
    (["어린이집 감사 지적 어떻게 처리했어요", "그럼 우선순위는 어떻게 정해요"], "3순위", "찾지 못했습니다"),
    # the one round an answer was about is what "그 다음은" goes on with
    (["9월에 인성검사 있나요?", "그 다음엔 뭐예요?"], "면접시험은 2018년 10월 15일", "경력경쟁"),
    # a word of its own after a budget answer asks about the line's project, from its section
    (["LMS 고도화 3단계 예산 얼마 썼어요", "착수보고회는 언제였어요"], "2018년 5월", "나와 있지 않습니다"),
    # a budget line found by the question's words is the subject the next turn goes on with
    (["청사 보수 보강 예산 알려줘요", "전년도는 얼마였죠"], "1,315,702", "15,073,737"),
    # a word the report lacks, asked of the subject taken over: its answer may hold it, its name may not
    (["조손가정 아이는 어린이집 몇 순위예요", "어떤 법에 근거한 거예요"], "영유아보육법", "찾지 못했습니다"),
    (["교육훈련장비확충 예산 얼마예요", "어떤 장비를 사요"], "장비는 업무보고에 나와 있지 않습니다", "찾지 못했습니다"),
    # "몇 과정" is any count of courses, of the course spoken of, not the centre's whole plan
    (["외국도시공무원 연수 주로 뭐 배워요", "하반기엔 몇 과정 할 예정이에요"], "7개 과정 120명", "230개 과정"),
    # the budget of a works item the report gives none for: said so, not the whole budget
    (
        ["장애인 교육생 편의시설 개선 언제 해요", "예산은 얼마나 들어요"],
        "예산은 업무보고에 나와 있지 않습니다",
        "15,073,737",
    ),
    # a yes-no question ("되나": a closing ending that asks) about what the last answer said
    (["퇴직자 제주도 문화탐방 몇 박이에요", "부부가 같이 가도 되나"], "부부가 함께", "찾지 못했습니다"),
    # a value asked alone after a fact: the sentence of that answer that gives it
    (["시험장은 몇 군데였나요", "몇 퍼센트가 응시했어요"], "54.7%", "찾지 못했습니다"),
    # the cohort carried over is the one counted
    (
        ["신임자 과정 9기는 언제 시작해요", "마치는 날도 알려줄래요", "그 기수는 몇 명 받아요"],
        "9월 7일(금), 120명",
        "찾지 못했습니다",
    ),
    # a record it knows, asked what its answer does not give: said so plainly
    (
        ["2차 공채 면접은 언제 봐요", "면접 보는 곳은 어디예요"],
        "장소는 업무보고에 나와 있지 않습니다",
        "찾지 못했습니다",
    ),
    # a headcount after a budget answer is the course's: the budget answers no "몇 명"
    (
        ["6급 미래인재 과정 상반기에 몇 명 했어요", "예산은 얼마 잡혔어요", "하반기엔 몇 명이나 할 예정이에요"],
        "97명",
        "나와 있지 않습니다",
    ),
    # the plan-table row an answer was about goes on; a whole word asks the whole plan again
    (["교육계획에서 집합교육은 몇 과정이에요", "작년에는요?"], "132개 과정", "230개 과정"),
    (["교육계획에서 집합교육은 몇 과정이에요", "작년에는요?", "전체는요?"], "230개 과정", "집합교육 소계 교육계획은"),
    # the plan is of the courses: a course's plan goes on with it, the whole plan asked as such
    (["6급 미래인재 과정 교육기간 알려줘요", "올해 교육 계획 인원은 몇 명이에요"], "2회 190명", "230개 과정"),
    (["6급 미래인재 과정 교육기간 알려줘요", "전체 교육계획 인원은요"], "168,545명", "2회 190명"),
    # the cohort carried over is who the target question asks of
    (["신임자 과정 8기는 언제 시작해요", "그 기수 교육대상은 누구고 몇 명이에요"], "217명", "찾지 못했습니다"),
    # who does a thing the budget line just answered does not hold: no question of that line
    (["올해 세입예산 얼마예요", "교재 만드는 과는 어디예요"], "인재양성과", "세입예산 합계의 교재"),
]
ONE_TURN = [
    # an event asked of a span it does not fall in: its own date first, then that the span has none
    ("인성검사 이번 주에 해요?", "9월 8일"),
    ("핵심가치 교육은 한 번에 보통 몇 명 받나요", "1회 125명"),  # 한 번: the report's 1회
    ("자치구 채용시험 비용 부담 방안 결론이 뭐였어요", "검토완료"),  # "방안" asks nothing, like 방법
    ("2차 필기 실제 응시자 수", "67,959명"),  # "실제" asks nothing of its own
    ("신임자 과정 사전학습은 몇 주예요", "선수학습 3주"),  # 사전학습: the report's 선수학습
    ("협치 교육 첫 회차는 언제예요", "3월 28일"),  # "회차" is a word for the sessions, like 기수
    ("구청 인사 담당입니다. 신임자 과정 몇 명 받아요?", "2,276명"),  # the asker's own sentence asks nothing
    # the result asked after the event the asker has been through is that event's result
    ("2회 공채 면접 보고 왔는데요 결과는 언제예요", "11월 14일"),
    ("상반기 공채 최종 합격자 언제 발표했나요", "6월 13일"),  # the 1st round, as the 2nd is 하반기 공채
    ("이러닝 수강 대상이 누구인가요", "시·자치구·소방직"),  # who may take it leads the e-learning card
    # a sentence after the question that only gives a reason for asking asks nothing
    ("신임자 과정 9기 일정을 알고 싶습니다. 저희 팀 막내가 휠체어를 타서요.", "8월 27일"),
    # a length of years and a year the asker tells of themselves ask no year's figures
    ("공직에 25년 넘게 있었고 내년에 퇴직합니다. 퇴직 교육 2주 과정 3기는 언제인가요?", "10월 15일"),
    ("서울시 필기 날짜 타 시도랑 언제 같아져요", "2019년도부터"),  # 같아지다: the report's 통일
    ("인재원 과별로 몇 명씩 있어요", "인재양성과 37명"),  # each department named with its figure
    ("구청에서 교육 담당하는데요 신임자 과정 몇 명 받아요", "2,276명"),  # the asker's "담당" asks nothing
    ("퇴직 교육 받으려면 요건이 뭐예요", "5년 이내"),  # a condition of attending: the target gives it
    ("인성검사는 몇 년도에 도입됐어요", "2013년"),  # "몇 년도" asks which year, not how many
    ("2차 공채 결국 몇 명 뽑기로 했어요", "1,971명"),  # "결국" says how the asker feels, asks nothing
    # an exam round that names the people of a course's cohort: the cohort is asked about
    ("1회 공채로 뽑힌 사람은 신임자 과정 언제 들어가요", "7월 23일"),
    ("1회 공채 합격자들 신임자 과정 몇 명이 같이 받아요", "217명"),
    ("퇴직준비 과정 2주짜리 언제 해요", "10월 15일"),  # an alias without its word for a course ("…교육")
    ("9급 면접 시간 기존보다 몇 분 늘었어요", "40분"),  # "기존" speaks of time, like 종전 and 당초
    ("민간위탁 교육 하루뿐이라는 감사 지적 조치결과 알려줘요", "추진완료"),  # 조치결과: no 조치결 + 과
    ("리더십 교육과정 운영 인원 몇 명이에요", "1,774명"),  # a budget line named, no money asked: its course
    ("정년 앞둔 분들 교육 있다던데 이름이 뭐예요", "퇴직 후 인생설계 교육"),  # the rank named the program
    ("미래인재 과정은 총 몇 달 걸려요", "6개월"),  # "몇 달" is a length counted, no typo of "날짜"
    ("공무원 시험 때 자치구는 뭘 맡아요", "시험장 확보"),  # the districts' part, not the audit of their costs
    ("은퇴 교육 문화탐방은 몇 박이에요", "2박3일"),  # the line about what is named gives it, not the course
    ("역량평가는 어느 과 소관이에요", "인재채용과"),  # who does it: the department leads
    ("임용유예자인데 신임자 과정 언제 들어요", "8월 27일"),  # the cohort the word describes
    ("서울시 7급 공채 일정 알려줘", "다음 채용시험 일정은"),  # rank + exam word: the exam
    ("세출예산 작년 대비 얼마 줄었어", "-1,671,724"),  # the total's 증감액
    ("어린이집 2순위는 누구예요", "2순위"),  # a group, not a person
    ("안녕하세요 저는 구청 다니는 워킹맘인데요, 직장어린이집 1순위는 누구예요?", "1순위"),  # the asking sentence
    ("의원실입니다. 어린이집 운영 예산 증감률 알려주세요.", "220,151"),  # a budget asked of a building
    ("인재원 중장기 발전계획 용역은 어디서 수행했나요", "서울연구원"),  # 어디서: the body that did it
    ("교재는 누가 만들어요", "인재양성과"),  # "누가 만들" asks who does it, not who may attend
    ("강사 관리는 어디서 맡아요", "인재양성과"),  # "어디서 맡" asks which body does it
    ("7급 면접 일정 좀요", "면접시험은 2018년 10월 15일"),  # a cue inside an event's name, and no course
    ("2회 공개경쟁 최종 발표 날짜요", "11월 14일"),  # "제2회" said without 제
    # the asker's situation ("…인데요", "…하는데") is no part of what is asked
    ("구청 교육팀 주무관인데요 신임자 과정 교육기간이 얼마나 돼요", "5주"),
    ("삼촌이 공무원 준비하는데 2차 필기 언제였어요", "6월 23일"),
    ("6.23 시험 몇 명 응시했어요", "67,959명"),  # "6.23" is a date
    ("최종 합격자 발표 언제 나요", "11월 14일"),
    ("중증장애인 채용 몇명", "5명"),  # a head line that holds the asked count stays first
    ("인재원 1년 예산 총 얼마예요", "세출예산: 15,073,737"),  # the budget is what the centre spends
    ("핵심가치 교육 설문조사 결과 어땠어요", "36%p"),  # the item of the card the question speaks of leads
    ("7급 공채 몇 명 뽑아요", "1,971명"),  # the round whose own name says it recruits that rank
    ("응시원서 접수 마감일", "원서접수는"),  # "응시원서" is an event, not the applicants' figures
    ("면접 결과 발표일", "최종 합격자 발표는"),  # the results of the interview are the final ones
    # two readings score alike: the one whose answer gives the asked count
    ("핵심가치 교육 몇 명 대상이에요", "5,000명"),  # "몇 명" asks the count, which leads
    ("면접 첫날 언제예요", "10월 15일"),  # a typo-tolerant cue ("면접 뭐") hides no exact name; 첫날 → 시작
    # the line naming the attribute asked leads, though the head holds a rate of its own (증감률)
    ("제2회 공채 합격자 발표 11월에 하는 건 며칠이에요", "11월 14일"),  # of a round's announcements, November's
    # a course's own count leads: not its parent's total (1,774명), nor who it is for
    ("3급 승진자 교육 몇 명 받아요", "1회 10명"),
    ("일반임기제 상반기 실적 알려주세요", "31명"),  # what the question asks of a category, before its plan
    ("교육생급식지원 예산 집행률 얼마나 돼요", "집행률 36.2%"),
    # ... but only an attribute the answer's intent answers: "기간 언제까지" asks the end
    ("핵심가치 공유 교육 기간 언제까지예요", "12월 14일(금)에 끝납니다"),
    ("신임자 과정 인원 17년 vs 18년", "2,412명"),  # "vs" compares, like 대비
    ("수급자 집 애기는 어린이집 입소 몇 순위예요", "1순위"),  # 집: the household (가정)
    ("재난안전실무는 얼마나 늘어나는 건가요", "7회 900명"),  # 늘어나: an increase asked
    ("핵심가치교육하반기에몇회해요", "하반기 25회"),  # written without spaces: the words the reading found
    ("영유아보육법 몇 조예요", "제28조"),  # the childcare law is the daycare's, asked alone too
    ("역량평가 평가항목이 뭐예요", "정책기획"),  # 평가항목: the report's 평가역량
    ("협치 교육은 하루짜리인가요", "1일"),  # asking how long, not telling ("하루짜리라 짧다고 지적")
    # 교육 인원 with no course named is the plan's, not the centre's own staff
    ("올해 교육인원 몇명임", "168,545명"),
    # "몇 시간" is a count of hours (or a day's course), not the course's months
    ("6급 미래인재 과정에서 4차 산업 교과는 몇 시간 해요", "171시간"),
    # a thing asked of a course by words no term names: the line that holds them leads
    ("신임자 과정에서 보도자료 작성도 배우나요", "보도자료"),
]


def test_a_remark_gets_a_light_reply_and_a_bare_question_goes_on(brain: Brain) -> None:
    first = brain.answer("5급 역량평가 언제 하나요?", now=NOW)
    remark = brain.answer("와 많이 하네", first.context, now=NOW)
    assert remark.intent is None and "450명" not in remark.text
    question = brain.answer("남은 건요?", remark.context, now=NOW)
    assert question.intent == "assessment.info"


def test_a_follow_up_about_what_the_last_answer_said_is_answered_from_it(brain: Brain) -> None:
    said = (
        "2018년 인재개발원 시설 공사·용역입니다.\n• 배움관·다솜관 옥상 방수 보수 공사 (완료, 90백만원)\n"
        "• 당직실 개선 공사 (완료, 30백만원)\n(2018년 업무보고 기준)"
    )
    context = Context("facility.works", {"budget_line": ["exp-building-repair"]}, NOW, said)
    reply = brain.answer("방수는 어느 건물이요?", context, now=NOW)
    assert reply.intent == "facility.works" and reply.text.startswith("배움관·다솜관 옥상 방수")
    # with nothing said before, the one fact of the report that holds its word and a place answers
    alone = brain.answer("방수는 어느 건물이요?", now=NOW)
    assert alone.intent == "fact.answer" and "배움관" in alone.text.split("\n")[0]


@pytest.mark.parametrize(("turns", "wanted", "unwanted"), DIALOGUES)
def test_follow_ups_go_on_with_the_subject(brain: Brain, turns: list[str], wanted: str, unwanted: str) -> None:
    reply = brain.answer(turns[0], now=NOW)
    for turn in turns[1:]:
        reply = brain.answer(turn, reply.context, now=NOW)
    assert wanted in reply.text, reply.text
    assert unwanted not in reply.text, reply.text
    if not wanted:
        assert reply.intent is None


@pytest.mark.parametrize(("question", "fact"), ONE_TURN)
def test_the_asked_fact_leads(brain: Brain, question: str, fact: str) -> None:
    reply = brain.answer(question, now=NOW)
    assert reply.intent is not None and fact in reply.text.split("\n")[0], reply.text


def test_own_phrasings_are_in_no_split() -> None:
    split_questions: set[str] = set()
    names = sorted(p.name for p in HERE.glob("*set*.tsv"))  # every dev and test split
    assert {"devset.tsv", "devset2.tsv", "testset.tsv"} <= set(names)
    for name in names:
        with (HERE / name).open(encoding="utf-8") as fh:
            split_questions |= {
                r["question"].strip() for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            }
    own = {q for q, _ in ANSWERED} | {q for q, _ in DECLINED} | {q for q, _ in ONE_TURN}
    own |= {turn for turns, _, _ in DIALOGUES for turn in turns}
    assert not own & split_questions


@pytest.mark.parametrize("turns", ["x", {"question_words": "뭐"}, {"noise_words": ["네", 3]}, {"request_words": [""]}])
def test_malformed_turns_in_nlu_are_a_clear_error(turns: object) -> None:
    with pytest.raises(NluError, match="turns"):
        Turns.from_nlu({"turns": turns})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("confirm_words", "맞아요"),
        ("whole_words", ["전체", 3]),
        ("source_words", "표"),
        ("exact_words", [""]),
        ("org_units", {}),
        ("attending_verbs", "들"),
        ("span.before", "기간"),
    ],
)
def test_a_malformed_word_list_in_nlu_is_a_clear_error(tmp_path: Path, name: str, value: object) -> None:
    text = NLU_FILE.read_text(encoding="utf-8")
    line = re.compile(rf"^(\s*){name.split('.')[-1]}: \[[^\]]*\]", flags=re.M)  # (a nested list is indented)
    assert line.search(text), name
    path = tmp_path / "nlu.yaml"
    path.write_text(
        line.sub(lambda m: f"{m.group(1)}{name.split('.')[-1]}: {json.dumps(value, ensure_ascii=False)}", text),
        encoding="utf-8",
    )
    with pytest.raises(NluError, match=name):
        load_nlu(path)


def test_turns_come_from_the_vocabulary_file() -> None:
    turns = Turns.from_nlu(load_nlu())
    assert turns.is_question("남은 건요?") and not turns.is_question("ㅋㅋ?")
    assert turns.is_remark("와 많이 하네") and not turns.is_remark("끝나는 날도 알고 싶습니다")
    assert turns.pointing.search("거기 몇 명이에요?") and not turns.pointing.search("그 과정 몇 명이에요?")


def test_a_term_read_across_a_space_must_not_cut_the_next_word(brain: Brain) -> None:
    understander = brain.understander

    def words(question: str) -> set[str]:
        return {m.text.replace(" ", "") for m in understander.understand(question, NOW.date()).matches}

    assert "시험실" not in words("2차 필기 시험 실제 응시 인원 몇 명")  # 시험 | 실제
    assert "총예산" not in words("교육훈련장비 확총 예산 얼마")  # 확총 | 예산: no 총 of another word
    assert "신임자과정" in words("신임자 과정에 가요")  # a particle is no part of the next word
    assert understander.understand("6.23 시험 몇 명", NOW.date()).dates == (dt.date(2018, 6, 23),) * 2
    assert understander.understand("예산 1.5배 늘었나요", NOW.date()).dates is None


def test_a_count_asked_of_nothing_is_declined_not_taken_for_a_remark(brain: Brain) -> None:
    reply = brain.answer("몇 살부터 받아요", now=NOW)
    assert reply.intent is None and reply.text != NOISE_REPLY and "찾지 못했습니다" in reply.text


def test_the_period_of_a_cohort_asked_is_its_dates(brain: Brain) -> None:
    # the course gives no length of its own; the cohort named has its dates
    first = brain.answer("인생설계 2주 교육 4기 기간이 어떻게 되죠", now=NOW).text.split("\n")[0]
    assert "11월 5일(월) ~ 11월 16일(금)" in first, first


@pytest.mark.parametrize(
    "question",
    ["신임자 과정 예산 집행율 얼마예요", "신임자과정 예산 연말 집행 예상율은요"],  # 율 for 률; the report's 예상 집행률
)
def test_a_rate_the_report_gives_is_answered_in_either_spelling(brain: Brain, question: str) -> None:
    reply = brain.answer(question, now=NOW)
    assert reply.intent == "budget.info" and "집행률" in reply.text, reply.text


def test_an_audit_finding_asked_is_said_before_what_was_done(brain: Brain) -> None:
    found = brain.answer("작년 행정사무감사에서 평정위원 관련해서 뭘 지적받았어요", now=NOW).text.split("\n")[0]
    assert found.startswith("2017년 행정사무감사에서") and "4년간 5명" in found, found
    done = brain.answer("평정위원 관련 감사 지적 처리 결과 알려주세요", now=NOW).text.split("\n")[0]
    assert done.startswith("추진완료"), done  # what was done, asked, comes first


def test_a_cohort_to_come_is_given_with_its_end_in_the_first_line(brain: Brain) -> None:
    # "언제부터 언제까지" asks both ends; the line that says when it starts says when it ends too
    first = brain.answer("퇴직 인생설계 2주 교육 3기 언제부터 언제까지예요", now=NOW).text.split("\n")[0]
    assert "10월 15일(월)에 시작합니다" in first and "10월 26일(금)에 끝납니다" in first, first


def test_the_item_asked_leads_when_the_head_line_says_nothing_asked(brain: Brain) -> None:
    first = brain.answer("공무원 채용 예산 얼마예요", now=NOW)
    reply = brain.answer("집행률은요", first.context, now=NOW)
    assert "집행률 94.0%" in reply.text.split("\n")[0], reply.text


def test_a_reply_says_a_name_once_and_cites_the_section_briefly(brain: Brain) -> None:
    reply = brain.answer("핵심가치 공유 교육 기간 언제까지예요", now=NOW)
    assert "핵심가치 공유 교육 2018년 핵심가치 공유 교육" not in reply.text, reply.text
    assert "기수별 일정" not in reply.text  # a program of one cohort has no list of one
    assert reply.text.split("\n")[-1] == "(2018년 업무보고 기준 · 출처 Ⅲ-2-1)"
    budget = brain.answer("교육생급식지원 예산 집행률 얼마나 돼요", now=NOW)
    # the amount asked in words too; the figures beside it as the report gives them
    assert "499,272천원(4억 9,927만원)" in budget.text and "2017년 364,072천원," in budget.text, budget.text


def test_a_source_is_cited_by_its_report_section() -> None:
    assert cite("Ⅲ-1-1 신임자 과정 운영 강화 > 예산집행 현황; Ⅰ-2018년 예산 현황 > 세출예산 표 > 신임자") == (
        "Ⅲ-1-1, Ⅰ-2018년 예산 현황"
    )
    assert cite("별첨 2017년 행정사무감사 > 시정·처리 요구사항 5") == "별첨 2017년 행정사무감사"
    assert cite("Ⅲ-1-1 신임자 과정 > 사업개요; Ⅲ-1-1 신임자 과정 > 향후계획") == "Ⅲ-1-1"
    assert cite(" ; ") == ""


@pytest.mark.parametrize(
    ("rank", "text", "fits"),
    [
        ("7급", "6~9급 신임 공무원", True),
        ("9급", "제2회 7·9급 공채", True),
        ("8급", "제2회 7·9급 공채", False),
        ("7급", "4·5급 승진대상자", False),
        ("7급", "인재개발원 예산", True),  # a text naming no rank fits every rank
    ],
)
def test_a_rank_fits_a_text_that_names_it_alone_or_in_a_range(rank: str, text: str, fits: bool) -> None:
    assert rank_fits(rank, text) is fits


@pytest.mark.parametrize(
    ("text", "next_"),
    [
        ("그 다음은요", True),
        ("그 뒤 일정은", True),
        ("다음 주에 면접 있어요?", False),
        ("다음달 교육 뭐 있어요", False),
    ],
)
def test_what_comes_next_is_not_next_week(brain: Brain, text: str, next_: bool) -> None:
    assert asks_next(brain.understander.understand(text, NOW.date())) is next_


def test_of_readings_tied_the_one_answering_the_asked_attribute_leads(brain: Brain) -> None:
    # a cohort's name points to the schedule, "몇 명" asks the headcount: the headcount
    reply = brain.answer("신임자 과정 9기 인원 몇 명", now=NOW)
    assert reply.intent == "program.headcount" and "120명" in reply.text, reply.text


@pytest.mark.parametrize("forms", [("시범운영",), ("예산", "집행률"), ("없는낱말",), ("3단계",)])
def test_passages_holding_a_form_are_found_as_a_scan_would(brain: Brain, forms: tuple[str, ...]) -> None:
    index = brain.passages
    scanned = [p for p in index.passages if any(f in p.haystack for f in forms)]
    assert index._holding(forms) == scanned


def test_the_line_citing_the_report_accounts_for_no_word_of_the_question(brain: Brain) -> None:
    u = replace(brain.understander.understand("신임자 과정 알려줘요", NOW.date()), elsewhere=["일반현황"])
    accounting = Accounting({}, [], generic_records=8)
    cited = "신임자 과정은 9회 열립니다.\n(2018년 업무보고 기준 · 출처 Ⅰ-일반현황)"
    assert accounting.missing(u, set(), cited) == ["일반현황"]
    assert accounting.missing(u, set(), "일반현황: 신임자 과정은 9회 열립니다.") == []


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("’19년도부터 통일", "2019년도부터 통일"),
        ("’17. 10. 11. 수립", "2017. 10. 11. 수립"),
        ("3기(’18.10.15. ~ 10.26.)", "3기(2018.10.15. ~ 10.26.)"),
        ("(’17년 8회 2,412명)", "(2017년 8회 2,412명)"),
        ("’맞춤형’ 교육", "’맞춤형’ 교육"),  # a quotation mark, no year
        ("집합교육 ’17", "집합교육 ’17"),  # a number that is not followed as a year is
    ],
)
def test_the_reports_short_years_are_written_out(text: str, shown: str) -> None:
    assert full_years(text) == shown


def test_a_reply_writes_years_out_in_full(brain: Brain) -> None:
    reply = brain.answer("신임자 과정 작년엔 몇 명 했어요", now=NOW)
    assert "2017년" in reply.text and "’17" not in reply.text, reply.text


def test_a_word_and_its_particle_is_no_typo_of_a_longer_term(brain: Brain) -> None:
    """ "어디가" is 어디 + 가, not a typo of the cue "어디 과" (which department)."""
    u = brain.understander.understand("미래인재 과정 현장 어디가 좋아요", NOW.date())
    assert not any(m.kind == "attr" and m.value == "who" for m in u.matches), u.matches


def test_the_next_cohort_is_the_next_to_start_not_the_one_under_way(brain: Brain) -> None:
    during_the_8th = dt.datetime(2018, 8, 1, 12, tzinfo=ZoneInfo("Asia/Seoul"))
    reply = brain.answer("신임자 과정 다음 기수 며칠부터 해요", now=during_the_8th)
    assert "제9기는 2018년 8월 27일" in reply.text.split("\n")[0], reply.text
    # "다음에" before a verb that qualifies the course is "next", not "later"
    reply = brain.answer("다음에 열리는 신임자 과정은 며칠부터예요", now=during_the_8th)
    assert "제9기는 2018년 8월 27일" in reply.text.split("\n")[0], reply.text


def test_a_heading_is_never_left_without_an_item_of_its_list() -> None:
    card = "\n".join(
        [
            "2주 교육 4기는 이미 끝났습니다.",
            "기수별 일정:",
            "• 2주 교육 3기: 10월 15일",
            "• 2주 교육 4기: 11월 5일",
            "2018년 계획: 10회 450명",
            "• 상반기 실적: 210명",
            "• 참고: 4기가 두 번 나옴",
            "(2018년 업무보고 기준)",
        ]
    )
    short, _ = shape(card, ["일정", "실적", "계획", "참고"], short_lines=4, list_lines=5)
    lines = short.split("\n")
    for i, line in enumerate(lines):
        if line.endswith(":"):
            assert i + 1 < len(lines) and lines[i + 1].startswith("•"), short


@pytest.mark.parametrize("question", ["제주도 가는거 몇 박이에요", "실시간으로 방송하는거 있어요"])
def test_a_syllable_inside_a_word_is_no_typo_of_a_two_syllable_term(brain: Brain, question: str) -> None:
    """ "하는거" holds no typo of 근거 (which asks the daycare's legal basis)."""
    u = brain.understander.understand(question, NOW.date())
    assert not any(m.kind == "concept" and m.value == "priority" for m in u.matches), u.matches


@pytest.mark.parametrize("question", ["경채 최종 발표는 언제인가요", "핵심가치 교육은 몇 명인가요"])
def test_a_typo_is_read_in_a_words_stem_not_in_its_ending(brain: Brain, question: str) -> None:
    """ "언제인가요" holds no typo of 인강 (e-learning lectures) nor of 제일."""
    u = brain.understander.understand(question, NOW.date())
    assert not any(m.kind == "concept" and m.value == "elearning" for m in u.matches), u.matches
    assert not any(m.kind == "attr" and m.value == "most" for m in u.matches), u.matches


@pytest.mark.parametrize(
    ("word", "stem"),
    [("얘긴데", "얘기"), ("어딘데요", "어디"), ("과정인데", "과정인데"), ("데", "데"), ("한데", "한데")],
)
def test_the_copula_run_into_a_noun_is_taken_off(word: str, stem: str) -> None:
    assert copula_stem(word) == stem


@pytest.mark.parametrize(("word", "stem"), [("올핸", "올해"), ("거긴", "거기"), ("예산", "예사"), ("가", "가")])
def test_the_topic_particle_run_into_a_word_is_taken_off(word: str, stem: str) -> None:
    assert topic_stem(word) == stem  # (the gate checks the stem against function words only)


def test_compounds_of_the_report_are_known_by_their_abbreviations() -> None:
    from knowledge.thesaurus import abbreviations

    found = abbreviations(["역량평가", "최종합격", "행정운영", "평가위원", "평정위원", "과정", "교육"])
    assert found["역량평가"] == ["역평"] and found["최종합격"] == ["최합"]
    # 행운 is a word of the language; 평위 would be two compounds' abbreviation
    assert "행정운영" not in found and "평가위원" not in found and "평정위원" not in found
    assert "과정" not in found
    # words that are no compounds of the report give none, and nothing breaks on them
    assert abbreviations([]) == {}
    assert abbreviations(["", "  ", "abc", "12345", "역량평가!", "가나다라마바사아자"]) == {}


@pytest.mark.parametrize(
    "question", ["4급 역량평가 날짜 언제 나와요?", "7급 승진자 과정 날짜 언제예요", "5급 역평 하반기엔 몇 회 남았어요"]
)
def test_no_reply_says_a_line_twice(brain: Brain, question: str) -> None:
    # (the line that answers goes first; it is not said again where the card had it)
    lines = [line.strip().removeprefix("• ") for line in brain.answer(question, now=NOW).text.split("\n")]
    said = [line for line in lines if line]
    assert len(said) == len(set(said)), said


def test_a_line_said_again_as_a_list_item_is_dropped() -> None:
    card = "향후계획: 5회\n• 대상: 5급\n\n\n• 향후계획: 5회\n(2018년 업무보고 기준)"
    assert distinct_lines(card) == ["향후계획: 5회", "• 대상: 5급", "", "(2018년 업무보고 기준)"]


def test_a_particle_on_a_noun_inside_a_word_is_no_letter_of_a_typo(brain: Brain) -> None:
    # "토목직은" is 토목 + 직 + 은, not a typo of "직원" read across the particle
    u = brain.understander.understand("토목직은 몇 명 뽑아요", NOW.date())
    assert not any(m.kind == "concept" and m.value == "org" for m in u.matches)
    # ... while the same letters as a word of their own still may be one
    u = brain.understander.understand("인재원 직은 몇 명", NOW.date())
    assert any(m.kind == "concept" and m.value == "org" for m in u.matches)


@pytest.mark.parametrize(
    ("question", "hours"),
    [
        ("민간위탁 교육 운영기간 알려줘요", False),
        ("구내식당 운영시간 알려줘요", True),
        ("구내식당 운영시갼 알려줘요", True),
    ],
)
def test_words_of_the_report_side_by_side_are_no_typo_of_a_cue(brain: Brain, question: str, hours: bool) -> None:
    # "운영기간" is 운영 + 기간 written right, not "운영시간" mistyped; a real typo still is
    u = brain.understander.understand(question, NOW.date())
    assert any(m.kind == "attr" and m.value == "hours" for m in u.matches) is hours


def test_a_name_read_across_a_space_into_another_name_yields_to_it(brain: Brain) -> None:
    def kinds(question: str) -> set[str]:
        return {m.kind for m in brain.understander.understand(question, NOW.date()).matches}

    # "승진 역량" (a field) would end inside "역량이해교육" (a course): the course is what is named
    assert "category" not in kinds("4급 승진 역량이해교육 인원 몇 명")
    assert "category" in kinds("승진 역량 분야 과정 뭐 있어요")  # said as a whole, it is the field
    # written as one word, both names stay: the narrower course is chosen later
    u = brain.understander.understand("과장리더십교육 인원", NOW.date())
    assert {m.value for m in u.matches if m.kind == "program"} == {"leadership-manager", "leadership"}


@pytest.mark.parametrize(
    "question",
    [
        "경채 원서 몇일부터야?",  # MeCab reads 몇 + 일부 + 터야: 부터 is a particle, no 일부 asked
        "넵 그럼 5급 역량평가 몇 명이에요?",  # 넵: yes, said casually
        "경채 시험 치를 때 감독은 누가 해요",  # 치를: 치르다, which MeCab reads as the bound noun 치 + 를
        "역평 결과 언제 나와 ㅠ 빨리 역평 정리하고 싶어",  # after ㅠ (even rewritten by the thesaurus): a remark
    ],
)
def test_casual_words_and_misread_particles_leave_nothing_unknown(brain: Brain, question: str) -> None:
    assert brain.understander.understand(question, NOW.date()).unknown_words == []


def test_a_course_whose_dates_are_all_past_says_when_it_last_ran(brain: Brain) -> None:
    late = dt.datetime(2018, 12, 20, 12, tzinfo=NOW.tzinfo)
    reply = brain.answer("협치 교육 지금도 운영 중이에요?", now=late)
    assert reply.intent is not None and "12월 14일" in reply.text, reply.text


def test_how_much_of_a_cost_word_asks_a_sum_of_money(brain: Brain) -> None:
    # "교육비 … 얼마": money, which a count of sessions and people ("9회 2,276명") is not
    u = brain.understander.classify(brain.understander.understand("신임자 과정 교육비가 얼마에요?", NOW.date()))
    patterns = brain.accounting.asked_values(u)
    assert patterns and not any(p.search("9회 2,276명") for p in patterns)
    assert any(p.search("120,000원") for p in patterns)


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("의무실 있어요? 아프면 어디 가나 해서", "의무실 있어요?"),
        ("신임자 과정 몇 기예요? 언제 시작하는지도요", "신임자 과정 몇 기예요? 언제 시작하는지도요"),
        ("주차 돼요?", "주차 돼요?"),
    ],
)
def test_the_asked_text_leaves_out_only_why_it_is_asked(text: str, asked: str) -> None:
    assert asked_text(text) == asked


def test_a_date_to_come_asked_when_every_date_is_past_is_said_not_given(brain: Brain) -> None:
    late = dt.datetime(2018, 12, 20, 12, tzinfo=NOW.tzinfo)
    reply = brain.answer("신임자 과정 또 언제 열려요?", now=late)
    first = reply.text.split("\n")[0]
    assert reply.intent is None and "앞으로의 일정은 업무보고에 나와 있지 않습니다" in first, reply.text
    assert "9월 7일" in reply.text  # the last cohort the report gives, said after


def test_no_shorter_name_is_a_word_made_an_adjective(brain: Brain) -> None:
    """ "가능한" of "바로 적용 가능한 보고서 1일 특강" names no course; "보고서" still does."""
    keys = {(t.key, t.value) for t in brain.understander.matcher.terms if t.kind == "program"}
    assert ("가능한", "report-writing") not in keys
    assert ("적용가능한", "report-writing") not in keys
    assert ("보고서", "report-writing") in keys


def test_no_cue_word_starts_in_a_verb_ending(brain: Brain) -> None:
    """ "알려주시기 바랍니다" is 알려 + 주 + 시 + 기: no 시기 (a time) is asked."""
    u = brain.understander.understand("세출예산 증감률을 알려주시기 바랍니다", NOW.date())
    assert not any(m.kind == "attr" and m.value == "schedule" for m in u.matches), u.matches


def test_a_plan_row_without_figures_says_the_table_gives_none(brain: Brain) -> None:
    """ "u-지식여행" has a row in the plan table but no figures of its own: the reply says so in
    words, never as a placeholder ("수치 없음입니다")."""
    reply = brain.answer("u-지식여행 작년엔 몇과정 했어요?", now=NOW)
    assert "수치 없음" not in reply.text, reply.text
    assert "과정 수·횟수·인원이 2018년, 2017년 모두 나와 있지 않습니다" in reply.text, reply.text


def test_a_part_of_a_verbs_stem_is_no_typo_of_a_cue(brain: Brain) -> None:
    """ "떨어지면" is 떨어지 + 면: its "어지" is no typo of "어집" (the daycare)."""
    u = brain.understander.understand("5급 역량평가 떨어지면 언제 다시 봐요", NOW.date())
    assert not any(m.kind == "concept" and m.value == "daycare" for m in u.matches), u.matches
