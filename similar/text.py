"""Similar-case search: the text side (jieba with the legal-terms dictionary, synonyms, the tokens a document is
indexed by and the terms a query asks for). Pure functions; the index and the search build on them."""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cases.models import Case
from similar.models import ReferenceCase

DATA = Path(__file__).resolve().parent / "data"
DICTIONARY = DATA / "legal_terms.txt"
SYNONYMS = DATA / "legal_synonyms.txt"
#: The sample reference cases the demo loads (guiding and typical cases written for the demo).
SAMPLE_REFERENCES = DATA / "reference_cases.csv"
MAX_QUERY_LENGTH = 200
#: Single-character negators: kept by binding them to the word they negate (未约定, 不支付, 无证据), so that
#: 未约定利息 does not search for 约定利息. Part of a longer word (下落不明), they never make a part of it.
NEGATORS = frozenset("未不无非没否勿莫")
#: How much a part of a compound the judge typed counts (贩卖毒品 also finds 贩卖 … and … 毒品), against 1 for
#: the compound itself.
PART_WEIGHT = 0.5
#: The saturation of a word repeated in a long query (BM25's k3): twice counts 1.5 times, never more than 3.
QUERY_K3 = 2.0
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "在",
        "是",
        "为",
        "对",
        "被",
        "将",
        "把",
        "等",
        "于",
        "以",
        "其",
        "之",
        "该",
        "此",
        "并",
        "但",
        "而",
        "也",
        "又",
        "就",
        "都",
        "由",
        "向",
        "从",
        "因",
        "后",
        "前",
        "中",
        "上",
        "下",
        "一案",
        "某",
        "某某",
        "本案",
        "一审",
        "二审",
        "案件",
        "问题",
        "关于",
        "如何",
        "是否",
        "应否",
        "能否",
        "可以",
        "应当",
    ]
)
#: The boilerplate of a judgment: parties' labels, the court's formulas, personal particulars. Every document
#: has them, so they tell nothing; a query formed from the facts would spend its weight on them.
BOILERPLATE = frozenset(
    [
        "原告",
        "被告",
        "原告人",
        "被告人",
        "被告方",
        "原告方",
        "上诉人",
        "被上诉人",
        "原审",
        "原审原告",
        "原审被告",
        "原审第三人",
        "第三人",
        "申请人",
        "被申请人",
        "申请执行人",
        "被执行人",
        "再审申请人",
        "申诉人",
        "起诉人",
        "自诉人",
        "被害人",
        "受害人",
        "当事人",
        "双方",
        "一方",
        "对方",
        "其他",
        "委托",
        "代理人",
        "委托代理人",
        "诉讼代理人",
        "特别授权",
        "法定代表人",
        "法定代理人",
        "负责人",
        "经营者",
        "公诉机关",
        "公诉人",
        "检察院",
        "人民检察院",
        "检察员",
        "指控",
        "起诉书",
        "辩护人",
        "辩护",
        "律师",
        "律师事务所",
        "法律援助",
        "本院",
        "法院",
        "人民法院",
        "法庭",
        "合议庭",
        "审判长",
        "审判员",
        "书记员",
        "审理",
        "经审理",
        "查明",
        "审理查明",
        "认为",
        "本院认为",
        "判决",
        "判决如下",
        "裁定如下",
        "诉称",
        "辩称",
        "述称",
        "诉讼请求",
        "请求",
        "事实",
        "理由",
        "住所地",
        "住址",
        "户籍",
        "户籍地",
        "汉族",
        "男",
        "女",
        "出生",
        "生于",
        "身份证",
        "身份证号",
        "公民",
        "号码",
        "职务",
        "职业",
        "无业",
        "农民",
        "文化",
        "初中",
        "高中",
        "小学",
        "大专",
        "住",
        "现住",
        "暂住",
        "羁押",
        "看守所",
        "刑事拘留",
        "逮捕",
        "取保候审",
        "监视居住",
        "同年",
        "同月",
        "当日",
        "次日",
        "当天",
        "年",
        "月",
        "日",
        "时",
        "分",
        "时许",
        "左右",
        "许",
        "期间",
        "之后",
        "之前",
        "以后",
        "以前",
        "以上",
        "以下",
        "所述",
        "上述",
        "前述",
        "下列",
        "如下",
        "一案",
        "该案",
        "本案",
        "提起",
        "诉讼",
        "立案",
        "受理",
        "公开",
        "开庭",
        "依法",
        "组成",
        "到庭",
        "参加",
        "出庭",
        "缺席",
        "完毕",
        "终结",
        "证实",
        "证明",
        "证据",
        "供述",
        "陈述",
        "辩解",
        "笔录",
        "在案",
        "予以",
        "确认",
        "据此",
        "综上",
        "综上所述",
        "依照",
        "根据",
        "规定",
        "条",
        "款",
        "项",
        "第一",
        "第二",
        "第三",
        "中华人民共和国",
        "到案",
        "归案",
        "抓获",
        "传唤",
        "如实",
        "供认",
    ]
)
_TERM = re.compile(r"^[^\W_]+$")  # letters and digits only: safe inside a tsquery, meaningful as a term
_NUMBER = re.compile(r"^[0-9０-９.．,，]+$")  # dates, sums and case numbers: the particulars, not the kind
_PLACE = re.compile(r"^..+[省市县镇乡村]$")  # 晴隆县, 连州市: where it happened, not what happened
_ANONYMISED = re.compile(r"[某×＊*ＸX]{1}")  # 张某, 李某某, 王××: an anonymised party tells nothing


# --- segmentation ----------------------------------------------------------------------------------


@cache
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    # jieba reads every line as a word: hand it the dictionary without its comment lines (in memory, so
    # that no file is left open)
    lines = [ln for ln in DICTIONARY.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    tokenizer.load_userdict(io.BytesIO("\n".join(lines).encode("utf-8")))
    return tokenizer


def _keep(token: str) -> bool:
    token = token.strip()
    return (
        bool(token)
        and _TERM.match(token) is not None
        and token not in STOPWORDS
        and token not in BOILERPLATE
        and _NUMBER.match(token) is None
        and _PLACE.match(token) is None
        and (token.isascii() or _ANONYMISED.search(token) is None)
        and (len(token) > 1 or token.isascii())
    )


def _words(text: str) -> list[tuple[str, str]]:
    """jieba's words, each single-character negator bound to the word after it: (the word, the word negated
    or "" when it is not a negation)."""
    words: list[tuple[str, str]] = []
    pending = ""
    for word in _jieba().lcut(text or ""):
        word = word.strip()
        if not word:
            continue
        if word in NEGATORS:
            pending = word
            continue
        if pending and _TERM.match(word):
            words.append((pending + word, word))
        else:
            words.append((word, ""))
        pending = ""
    return words


def segment(text: str) -> list[str]:
    """Precise-mode segmentation: the words of a text (a negator bound to its word), punctuation, stopwords and
    boilerplate left out."""
    return [w for w, _negated in _words(text) if _keep(w)]


def _parts(word: str) -> list[str]:
    """The dictionary words inside a word, longest first; none that starts with a negator inside the word
    (下落不明 holds 下落, never 不明: 约定不明 must not find it)."""
    tokenizer = _jieba()
    parts = []
    for size in range(len(word) - 1, 1, -1):
        for start in range(len(word) - size + 1):
            part = word[start : start + size]
            if tokenizer.FREQ.get(part) and not (start > 0 and part[0] in NEGATORS):
                parts.append(part)
    return parts


def index_tokens(text: str) -> list[str]:
    """Segmentation for the index: each word and every dictionary word inside it (``机动车交通事故责任纠纷``
    is found by ``交通事故`` and ``机动车`` too; jieba's own search mode stops at three characters); a negated
    word both bound (未约定) and bare (约定)."""
    tokens: list[str] = []
    for word, negated in _words(text):
        tokens.append(word)
        tokens.extend(_parts(negated or word))
        if negated:
            tokens.append(negated)
    return [t for t in tokens if _keep(t)]


def query_terms(query: str) -> list[str]:
    """The distinct words of a query, in order: all of them (a long query is weighted, not cut)."""
    terms: list[str] = []
    for token in segment(query):
        if token.lower() not in terms:
            terms.append(token.lower())
    return terms


@dataclass(frozen=True)
class QueryTerm:
    """A word of the query with its weight (repeats saturate; a part of a compound counts ``PART_WEIGHT``) and
    the words that count as it (its synonyms)."""

    word: str
    weight: float
    words: tuple[str, ...]
    part: bool = False


def query_analysis(query: str) -> list[QueryTerm]:
    """The query's terms for ranking: each word (weighted by how often it is repeated), then the parts of its
    dictionary compounds of four or more characters (贩卖毒品: 贩卖, 毒品), each with its synonyms. No cap."""
    counts = Counter(t.lower() for t in segment(query))
    weights: dict[str, float] = {w: n * (QUERY_K3 + 1) / (n + QUERY_K3) for w, n in counts.items()}
    parts: dict[str, float] = {}
    for word, weight in weights.items():
        if len(word) >= 4:
            for part in _parts(word):
                if _keep(part) and part not in weights:
                    parts[part] = max(parts.get(part, 0.0), weight * PART_WEIGHT)
    synonyms = _synonyms()
    found = [
        QueryTerm(word=w, weight=round(weight, 4), words=(w, *(s for s in synonyms.get(w, ()) if s != w)))
        for w, weight in weights.items()
    ]
    found += [
        QueryTerm(word=w, weight=round(weight, 4), words=(w, *(s for s in synonyms.get(w, ()) if s != w)), part=True)
        for w, weight in parts.items()
    ]
    return found


@cache
def _synonyms() -> dict[str, tuple[str, ...]]:
    """Each word of ``legal_synonyms.txt`` with the words that count as it (a line: the word, then those)."""
    found: dict[str, tuple[str, ...]] = {}
    for line in SYNONYMS.read_text(encoding="utf-8").splitlines():
        words = [w.lower() for w in line.split() if _keep(w)] if not line.startswith("#") else []
        if len(words) > 1:
            found[words[0]] = tuple(dict.fromkeys([*found.get(words[0], ()), *words[1:]]))
    return found


def term_groups(terms: list[str]) -> list[tuple[str, ...]]:
    """Each term with its synonyms: a document matches a group when it has any word of it."""
    return [(term, *(w for w in _synonyms().get(term, ()) if w != term)) for term in terms]


# --- the index -------------------------------------------------------------------------------------


def case_text(case: Case) -> str:
    # the cause counts twice: it names the kind of dispute, which a similar case shares
    return "\n".join([case.cause, case.cause, case.disputed_points, case.facts_summary, case.ruling_summary])


def push_text(case: Case) -> str:
    """What 类案推送 searches with: the case's cause, disputed points and facts, whole (not a 200-character
    query)."""
    return "\n".join([case.cause, case.disputed_points, case.facts_summary])


def reference_text(reference: ReferenceCase) -> str:
    return "\n".join(
        [
            reference.title,
            reference.cause,
            reference.cause,
            reference.keywords,
            reference.key_points,
            reference.disputed_points,
            reference.facts_summary,
            reference.ruling_summary,
        ]
    )


def document_tokens(text: str) -> str:
    return " " + " ".join(t.lower() for t in index_tokens(text)) + " "


def has_text(case: Case) -> bool:
    return bool(case.facts_summary or case.disputed_points or case.ruling_summary)
