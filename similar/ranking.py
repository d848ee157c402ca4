"""BM25 ranking for similar-case search: the formula, shared by the PostgreSQL query (``selectors``), the
portable fallback and the evaluation harness (``bench/similar_quality.py``), so all three rank alike.

A query is a list of terms (``text.query_analysis``), each a group of words that count as it (the word and its
synonyms) with a query weight. For a document of ``length`` tokens, a group's term frequency ``tf`` is the sum
of its words' occurrences, and

    score = Σ weight · idf · tf · (k1 + 1) / (tf + k1 · (1 − b + b · length / avgdl))
    idf   = ln(1 + (N − df + 0.5) / (df + 0.5))        (df: the most frequent word of the group)

times ``ALL_WORDS_BOOST`` when the document has every group (two or more). N, avgdl and each word's df are
the index's own statistics (``TermStatistic``), kept with the documents.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

K1 = 1.2
B = 0.75
#: A document that has every word of a short query ranks above one that has some: 醉驾 缓刑 first finds cases
#: about both.
ALL_WORDS_BOOST = 1.5


@dataclass(frozen=True)
class Statistics:
    documents: int
    average_length: float
    frequencies: Mapping[str, int]  # word → how many documents have it


@dataclass(frozen=True)
class Group:
    words: tuple[str, ...]
    weight: float  # query weight × idf


def idf(frequency: int, documents: int) -> float:
    return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))


def groups_for(terms: Sequence[object], statistics: Statistics) -> list[Group]:
    """Each query term (``word``, ``weight``, ``words``) as a weighted group; a group none of whose words is
    in the index is dropped (it can match nothing)."""
    groups = []
    for term in terms:
        words = tuple(term.words)  # type: ignore[attr-defined]
        frequency = max(statistics.frequencies.get(w, 0) for w in words)
        if frequency:
            groups.append(Group(words=words, weight=term.weight * idf(frequency, statistics.documents)))  # type: ignore[attr-defined]
    return groups


def score(tokens: Sequence[str] | Counter, groups: Sequence[Group], statistics: Statistics) -> tuple[float, int]:
    """The BM25 score of one document's tokens, and how many groups it matched."""
    counts = tokens if isinstance(tokens, Counter) else Counter(tokens)
    length = sum(counts.values())
    norm = K1 * (1 - B + B * length / (statistics.average_length or 1.0))
    total = 0.0
    matched = 0
    for group in groups:
        tf = sum(counts.get(w, 0) for w in group.words)
        if tf:
            matched += 1
            total += group.weight * tf * (K1 + 1) / (tf + norm)
    if len(groups) > 1 and matched == len(groups):
        total *= ALL_WORDS_BOOST
    return total, matched
