"""BM25 ranking for similar-case search: the formula, shared by the PostgreSQL query (``selectors``), the
portable fallback and the evaluation harness (``bench/similar_quality.py``), so all three rank alike.

A query is a list of terms (``text.query_analysis``), each a group of words that count as it (the word and its
synonyms) with a query weight. For a document of ``length`` tokens, a group's term frequency ``tf`` is the sum
of its words' occurrences, and

    score = Σ weight · idf · tf · (k1 + 1) / (tf + k1 · (1 − b + b · length / avgdl))
    idf   = ln(1 + (N − df + 0.5) / (df + 0.5))        (df: the most frequent word of the group)

times ``ALL_WORDS_BOOST`` when the document has every word the judge asked for (two or more; the parts of a
compound are not asked for: a document with the compound has them, ``text.index_tokens``). N, avgdl and each
word's df are the index's own statistics (``TermStatistic``), kept with the documents.

Pseudo-relevance feedback (RM3, Lavrenko & Croft 2001, with its usual settings: ``FEEDBACK_DOCUMENTS`` = 10,
``FEEDBACK_TERMS`` = 10): the best documents of a first ranking lend the query their most telling words, so that
a case that shares the kind of facts but none of the query's words is still found (禁渔区 网具 also finds
渔船 … 禁渔期). Each word is weighed by its share of the feedback documents (tf / length, times the
document's share of their scores) and by its idf, as Rocchio's tf·idf feedback does; the ten heaviest are added
as ordinary terms, together as heavy as ten words of the query's average weight but never heavier than the
query's own words (RM3's even interpolation): half of a short query, little beside a case's whole facts.
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
FEEDBACK_DOCUMENTS = 10
FEEDBACK_TERMS = 10


@dataclass(frozen=True)
class Statistics:
    documents: int
    average_length: float
    frequencies: Mapping[str, int]  # word → how many documents have it


@dataclass(frozen=True)
class Group:
    words: tuple[str, ...]
    weight: float  # query weight × idf
    feedback: bool = False  # a word lent by the best documents (not the judge's: not needed for "every word")
    part: bool = False  # a part of the judge's compound (贩卖 of 贩卖毒品): weighs, but is not needed for "every word"

    @property
    def asked(self) -> bool:
        """One of the words the judge asked for: a document with all of them has "every word"."""
        return not (self.feedback or self.part)


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
            weight = term.weight * idf(frequency, statistics.documents)  # type: ignore[attr-defined]
            groups.append(Group(words=words, weight=weight, part=bool(getattr(term, "part", False))))
    return groups


def asked(groups: Sequence[Group]) -> list[bool]:
    """Which groups a document needs for "every word": the judge's own words; the parts of their compounds only
    when none of the judge's words is in the index (the parts then stand for them)."""
    flags = [group.asked for group in groups]
    return flags if any(flags) else [not group.feedback for group in groups]


def score(tokens: Sequence[str] | Counter, groups: Sequence[Group], statistics: Statistics) -> tuple[float, int]:
    """The BM25 score of one document's tokens, and how many of the groups ``asked`` needs it matched."""
    counts = tokens if isinstance(tokens, Counter) else Counter(tokens)
    length = sum(counts.values())
    norm = K1 * (1 - B + B * length / (statistics.average_length or 1.0))
    total = 0.0
    matched = 0
    needed = asked(groups)
    for group, needs in zip(groups, needed, strict=True):
        tf = sum(counts.get(w, 0) for w in group.words)
        if tf:
            matched += needs
            total += group.weight * tf * (K1 + 1) / (tf + norm)
    if sum(needed) > 1 and matched == sum(needed):
        total *= ALL_WORDS_BOOST
    return total, matched


def feedback_words(
    best: Sequence[tuple[Sequence[str] | Counter, float]], groups: Sequence[Group], statistics: Statistics
) -> list[tuple[str, float]]:
    """RM3's expansion: the ``FEEDBACK_TERMS`` words of the best documents (their tokens and first-ranking scores,
    best first: the first ``FEEDBACK_DOCUMENTS``, all of which must match the query) that weigh most in them,
    times their idf (a word every case has, such as 合同, tells nothing of the kind of case, and would make
    every document a candidate), none of the query's; each with its share of the feedback (the shares sum
    to 1). ``statistics`` must know the words of those documents."""
    best = [(tokens, s) for tokens, s in best[:FEEDBACK_DOCUMENTS] if s > 0]
    total = sum(s for _tokens, s in best)
    if len(best) < FEEDBACK_DOCUMENTS or not total:  # a handful of matches is not a kind of case: nothing lent
        return []
    asked = {w for group in groups for w in group.words}
    weights: Counter[str] = Counter()
    for tokens, s in best:
        counts = tokens if isinstance(tokens, Counter) else Counter(tokens)
        length = sum(counts.values()) or 1
        for word, tf in counts.items():
            if word not in asked and statistics.frequencies.get(word):
                weights[word] += tf / length * s / total
    for word in weights:
        weights[word] *= idf(statistics.frequencies[word], statistics.documents)
    chosen = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:FEEDBACK_TERMS]
    share = sum(w for _word, w in chosen) or 1.0
    return [(word, w / share) for word, w in chosen]


def feedback_groups(
    words: Sequence[tuple[str, float]], query_weights: Sequence[float], statistics: Statistics
) -> list[Group]:
    """The feedback words as groups: together as heavy as ``FEEDBACK_TERMS`` words of the query's average
    weight, but never heavier than the query's own words; each by its share; times its idf, like any word."""
    if not words or not query_weights:
        return []
    # never heavier than the judge's own words (RM3's even interpolation): a two-word query stays about its words
    total = min(sum(query_weights) / len(query_weights) * FEEDBACK_TERMS, sum(query_weights))
    groups = []
    for word, share in words:
        frequency = statistics.frequencies.get(word, 0)
        if frequency:
            groups.append(
                Group(words=(word,), weight=total * share * idf(frequency, statistics.documents), feedback=True)
            )
    return groups
