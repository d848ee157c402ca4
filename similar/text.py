"""Similar-case search: the text side (jieba with the legal-terms dictionary, synonyms, the tokens a document is
indexed by and the terms a query asks for). Pure functions; the index and the search build on them."""

from __future__ import annotations

import io
import logging
import re
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
MAX_TERMS = 16
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
_TERM = re.compile(r"^[^\W_]+$")  # letters and digits only: safe inside a tsquery, meaningful as a term


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
        and (len(token) > 1 or token.isascii())
    )


def segment(text: str) -> list[str]:
    """Precise-mode segmentation: the words of a text, punctuation and stopwords left out."""
    return [t for t in _jieba().lcut(text or "") if _keep(t)]


def index_tokens(text: str) -> list[str]:
    """Segmentation for the index: each word and every dictionary word inside it (``机动车交通事故责任纠纷``
    is found by ``交通事故`` and ``机动车`` too; jieba's own search mode stops at three characters)."""
    tokenizer = _jieba()
    tokens: list[str] = []
    for word in tokenizer.lcut(text or ""):
        tokens.append(word)
        for size in range(2, len(word)):
            for start in range(len(word) - size + 1):
                part = word[start : start + size]
                if tokenizer.FREQ.get(part):
                    tokens.append(part)
    return [t for t in tokens if _keep(t)]


def query_terms(query: str) -> list[str]:
    """The distinct terms of a query, in order, at most ``MAX_TERMS``."""
    terms: list[str] = []
    for token in segment(query):
        if token.lower() not in terms:
            terms.append(token.lower())
    return terms[:MAX_TERMS]


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
