"""Similar-case search benchmark on PostgreSQL: query latency over N cases' text, and the index size.

    python bench/search_bench.py --cases 1000000 [--reuse]

Uses the metrics generator's cases (``metrics_bench.ensure_generated``: 200 courts, N cases) in its own
database (``BENCH_SEARCH_DATABASE_URL``, default postgres://postgres@127.0.0.1:5432/quanze_bench_search),
then gives every case a search document in SQL: its cause and 40 words drawn from the legal-terms
dictionary and a list of everyday words, skewed so that a few words are very common and most are rare
(like real rulings), and the documents' postings (``similar_posting``) built once after them. The words are
written as drawn, not through the index's analysis (``similar.text.document_tokens`` would add a compound's
dictionary parts: three times the tokens a document, and the postings, at 1 M cases, of over 100 M rows). The
shipped reference cases are imported through the real command.

Figures, in a child process through ``similar.selectors.search`` (the code the page and the API run):

* p50 and p95 latency of 300 two-word queries by judges of basic courts (their court and the courts
  above: about 15,000 cases each at 1 M), in the SPC order and by relevance (target: p95 ≤ 100 ms);
* the same queries with no court scope, over every document (a stress figure: what a province-wide
  search would cost);
* the size of the documents table and of its GIN index.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_bench import ROOT, store  # noqa: E402
from metrics_bench import connect, ensure_generated  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/quanze_bench_search"
EVERYDAY_WORDS = (
    "原告 被告 合同 约定 支付 履行 损失 赔偿 证据 证明 事实 认定 主张 请求 理由 责任 义务 权利 期限 金额 利息 "
    "款项 房屋 车辆 公司 单位 个人 协议 签订 交付 返还 解除 违约 过错 鉴定 报告 鉴定意见 诉讼 判决 裁定 调解 "
    "上诉 维持 改判 发回 执行 申请 查封 财产 保全 担保 抵押 工资 劳动 工伤 医疗 费用 标准 计算 比例 酌定 "
    "支持 驳回 部分 全部 依法 应当 不予 予以 承担 连带 补充 按份 共同 夫妻 子女 父母 继承 遗产 借款 出借 "
    "转账 收据 借条 欠条 银行 账户 流水 利率 逾期 违约金 定金 押金 租金 物业 业主 小区 停车 装修 质量 "
    "工程 施工 发包 承包 分包 结算 审计 竣工 验收 保修 交通 事故 受伤 死亡 伤残 保险 理赔 交强险 "
    "网络 平台 信息 数据 商标 专利 著作权 侵权 停止 消除 影响 赔礼道歉 名誉 隐私 人格 精神 损害 抚慰金"
)

# A bulk load builds the GIN index once, after the rows, and loads the documents in slices of case ids, each
# its own transaction (one statement over 2 M cases held every row's tokens in one transaction: over 20 min).
BEFORE_DOCUMENTS = (
    "SET maintenance_work_mem = '512MB'",
    "DROP INDEX IF EXISTS searchdocument_vector",
    # the postings are built once after the rows (below), not row by row by their trigger
    "ALTER TABLE cases_searchdocument DISABLE TRIGGER similar_posting_sync",
)
DOCUMENT_SLICE = """
INSERT INTO cases_searchdocument (case_id, reference_id, organisation_id, level, decided_on, case_type, cause,
                                  tokens, length, updated_at)
SELECT c.id, NULL, c.organisation_id, NULL, coalesce(c.closed_on, c.filed_on), c.case_type, c.cause,
       ' ' || c.cause || ' ' || (
         SELECT string_agg(a.w[1 + floor(power(random(), 3) * a.n)::int], ' ')
         FROM generate_series(1, 40) k, (SELECT %(words)s::text[] AS w, %(n)s AS n) a
         WHERE c.id IS NOT NULL
       ) || ' ',
       41,
       now()
FROM cases_case c
WHERE c.id >= %(lo)s AND c.id < %(hi)s AND NOT EXISTS (SELECT 1 FROM cases_searchdocument d WHERE d.case_id = c.id)
"""
AFTER_DOCUMENTS = (
    "CREATE INDEX searchdocument_vector ON cases_searchdocument USING gin (organisation_id, vector)",
    "ANALYZE cases_searchdocument",
    # BM25's statistics, counted as the migration similar/0002 counts them (the index keeps them from then on)
    "TRUNCATE similar_termstatistic",
    "INSERT INTO similar_termstatistic (term, documents, occurrences) "
    "SELECT word, ndoc, nentry FROM ts_stat('SELECT vector FROM cases_searchdocument') WHERE word <> ''",
    "INSERT INTO similar_termstatistic (term, documents, occurrences) "
    "SELECT '', count(*), coalesce(sum(length), 0) FROM cases_searchdocument",
)
# the postings (migration similar/0005), written in key order with the key built after them, then the trigger on
POSTINGS = (
    "SET maintenance_work_mem = '512MB'",
    "TRUNCATE similar_posting",
    "ALTER TABLE similar_posting DROP CONSTRAINT IF EXISTS similar_posting_pkey",
    "INSERT INTO similar_posting (term, court, document_id, tf, length, level, decided_on) "
    "SELECT u.lexeme, coalesce(d.organisation_id, 0), d.id, coalesce(array_length(u.positions, 1), 1), d.length, "
    "d.level, d.decided_on FROM cases_searchdocument d, unnest(d.vector) AS u ORDER BY 1, 2, 3",
    "ALTER TABLE similar_posting ADD CONSTRAINT similar_posting_pkey PRIMARY KEY (term, court, document_id) "
    "INCLUDE (tf, length, level, decided_on)",
    "ALTER TABLE cases_searchdocument ENABLE TRIGGER similar_posting_sync",
    "VACUUM ANALYZE similar_posting",  # the visibility map: the postings are read from the index alone
)
SLICE = 100_000
# as similar.services.CLUSTER_INDEX: the organisation's btree index, which CLUSTER orders the documents by
CLUSTER_INDEX = (
    "SELECT indexname FROM pg_indexes WHERE tablename = 'cases_searchdocument' "
    "AND indexdef LIKE '%USING btree (organisation_id)' ORDER BY indexname LIMIT 1"
)

CHILD = r"""
import json, os, random, statistics, time
import django
django.setup()
from django.db import connection
from accountability.models import Officer
from similar import selectors as similar_selectors
from similar import text as similar_text

words = json.loads(WORDS)
rng = random.Random(11)
pick = lambda: words[min(int(rng.random() ** 3 * len(words)), len(words) - 1)]
officers = list(Officer.objects.filter(organisation__level="basic").select_related("organisation")[:2000])
queries = []
while len(queries) < 300:  # two words a judge would search with (boilerplate such as 原告 alone is not searchable)
    q = f"{pick()} {pick()}"
    if similar_text.query_terms(q):
        queries.append((rng.choice(officers), q))
similar_selectors.search(officer=queries[0][0], query=queries[0][1])  # warm: jieba's dictionary, connections

def timed(order, **narrowed):
    load = os.getloadavg()[0]
    times, hits, fallbacks = [], [], 0
    for officer, q in queries:
        started = time.perf_counter()
        filters = similar_selectors.SearchFilters(order=order, **narrowed)
        result = similar_selectors.search(officer=officer, query=q, filters=filters)
        times.append((time.perf_counter() - started) * 1000)
        hits.append(len(result.hits))
        fallbacks += not result.matched_all
    times.sort()
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
            "max_ms": round(times[-1], 1), "median_hits": statistics.median(hits), "fallbacks": fallbacks,
            "load_1m": [round(load, 2), round(os.getloadavg()[0], 2)]}

figures = {"level": timed("level"), "relevance": timed("relevance")}
# a filter narrows the scope (the last three years only): the documents are then joined to the scored postings
figures["recent_only"] = timed("level", recent_only=True)
# unscoped stress: every document of the province, straight SQL of the same shape
times = []
with connection.cursor() as cursor:
    for _, q in queries:
        terms = similar_text.query_terms(q)
        tsquery = " & ".join("(" + " | ".join(g) + ")" for g in similar_text.term_groups(terms))
        started = time.perf_counter()
        cursor.execute(
            "SELECT id FROM cases_searchdocument WHERE vector @@ to_tsquery('simple', %s) "
            "ORDER BY ts_rank(vector, to_tsquery('simple', %s), 1) DESC LIMIT 50", [tsquery, tsquery])
        cursor.fetchall()
        times.append((time.perf_counter() - started) * 1000)
times.sort()
figures["unscoped"] = {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(times[int(len(times) * 0.95) - 1], 1)}
# 类案推送: computed in the background (push_compute) for 30 pending cases of basic courts given a fact text of 40
# words, then the case page's read of it (selectors.pushed: two queries), 10 reads a case by its judge
from cases.models import Case
from similar import services as similar_services

pending = list(Case.objects.filter(closed_on__isnull=True, organisation__level="basic", lead_officer__isnull=False)
               .order_by("pk")[:30])
for case in pending:
    Case.objects.filter(pk=case.pk).update(facts_summary="".join(pick() for _ in range(40)))
started = time.perf_counter()
similar_services.push_compute([c.pk for c in pending])
compute_ms = (time.perf_counter() - started) * 1000 / max(len(pending), 1)
reads = []
for case in Case.objects.filter(pk__in=[c.pk for c in pending]).select_related("lead_officer__organisation"):
    for _ in range(10):
        started = time.perf_counter()
        similar_selectors.pushed(officer=case.lead_officer, case=case)
        reads.append((time.perf_counter() - started) * 1000)
reads.sort()
figures["push"] = {"cases": len(pending), "compute_ms_per_case": round(compute_ms, 1),
                   "read_p50_ms": round(statistics.median(reads), 1) if reads else None,
                   "read_p95_ms": round(reads[int(len(reads) * 0.95) - 1], 1) if reads else None}
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*), pg_relation_size('cases_searchdocument'), "
                   "pg_total_relation_size('cases_searchdocument'), pg_relation_size('searchdocument_vector'), "
                   "pg_total_relation_size('similar_posting') FROM cases_searchdocument")
    (figures["documents"], figures["table_bytes"], figures["total_bytes"], figures["gin_bytes"],
     figures["postings_bytes"]) = cursor.fetchone()
print("SEARCH " + json.dumps(figures))
"""


def _words() -> list[str]:
    dictionary = ROOT / "similar" / "data" / "legal_terms.txt"
    terms = [
        ln.split()[0]
        for ln in dictionary.read_text(encoding="utf-8").splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    return list(dict.fromkeys(EVERYDAY_WORDS.split() + terms))


def _documents_ready(cursor: object, cases: int) -> bool:
    """Every generated case has its document and the GIN index is there (a --reuse run keeps them)."""
    cursor.execute(  # type: ignore[attr-defined]
        "SELECT (SELECT count(*) FROM cases_searchdocument WHERE case_id IS NOT NULL), "
        "EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'searchdocument_vector')"
    )
    documents, indexed = cursor.fetchone()  # type: ignore[attr-defined]
    return documents >= cases and indexed


def _postings_ready(cursor: object) -> bool:
    cursor.execute("SELECT EXISTS (SELECT 1 FROM similar_posting)")  # type: ignore[attr-defined]
    return cursor.fetchone()[0]  # type: ignore[attr-defined]


def run(cases: int, url: str, *, reuse: bool, cluster: bool = False) -> dict[str, object]:
    generated = ensure_generated(cases, url, reuse=reuse)
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "accountability.settings"}
    env.pop("REDIS_URL", None)
    connection = connect(url)
    connection.autocommit = True
    started = time.perf_counter()
    words = _words()
    cluster_seconds = None
    postings_seconds = None
    with connection.cursor() as cursor:
        if not (reuse and generated is None and _documents_ready(cursor, cases)):
            for statement in BEFORE_DOCUMENTS:
                cursor.execute(statement)
            cursor.execute("SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM cases_case")
            low, high = cursor.fetchone()
            for lo in range(low, high + 1, SLICE):
                cursor.execute(DOCUMENT_SLICE, {"words": words, "n": len(words), "lo": lo, "hi": lo + SLICE})
                print(f"search documents: cases {lo:,}–{min(lo + SLICE, high + 1):,} of {high:,}", file=sys.stderr)
            for statement in AFTER_DOCUMENTS:
                cursor.execute(statement)
            cursor.execute("TRUNCATE similar_posting")  # built below
        if not _postings_ready(cursor):
            posted = time.perf_counter()
            for statement in POSTINGS:
                cursor.execute(statement)
            postings_seconds = round(time.perf_counter() - posted, 1)
        if cluster:  # the court-order plan: what ``reindex_search --cluster`` runs (similar.services.cluster_documents)
            clustered = time.perf_counter()
            cursor.execute("SET maintenance_work_mem = '512MB'")
            cursor.execute(CLUSTER_INDEX)
            cursor.execute(f'CLUSTER cases_searchdocument USING "{cursor.fetchone()[0]}"')
            cursor.execute("ANALYZE cases_searchdocument")
            cluster_seconds = round(time.perf_counter() - clustered, 1)
    documents_seconds = round(time.perf_counter() - started, 1)
    connection.close()
    references = ROOT / "similar" / "data" / "reference_cases.csv"
    staged = ROOT / "bench" / "out" / "reference_cases.csv"
    staged.parent.mkdir(parents=True, exist_ok=True)
    staged.write_text(references.read_text(encoding="utf-8").replace(",SHG,", ",O001,"), encoding="utf-8")
    imported = subprocess.run(
        [sys.executable, "manage.py", "import_reference_cases", str(staged)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if imported.returncode:
        raise SystemExit(imported.stderr)
    child = subprocess.run(
        [sys.executable, "-c", f"WORDS = {json.dumps(json.dumps(_words()))}\n" + CHILD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if child.returncode:
        raise SystemExit(child.stderr[-3000:])
    line = next(x for x in child.stdout.splitlines() if x.startswith("SEARCH "))
    return {
        "cases": cases,
        "clustered": cluster,
        "cluster_seconds": cluster_seconds,
        "generate_seconds": generated,
        "documents_seconds": documents_seconds,
        "postings_seconds": postings_seconds,
        **json.loads(line[len("SEARCH ") :]),
    }


def record(results: list[dict[str, object]]) -> None:
    entries = []
    for r in results:
        p95 = max(r["level"]["p95_ms"], r["relevance"]["p95_ms"])
        entries += [
            {
                "name": f"search@{r['cases']}",
                "value": p95,
                "unit": "ms p95",
                "target": 100,
                "detail": {
                    k: r[k]
                    for k in (
                        "level",
                        "relevance",
                        "recent_only",
                        "documents",
                        "gin_bytes",
                        "total_bytes",
                        "documents_seconds",
                        "postings_seconds",
                        "postings_bytes",
                        "clustered",
                        "cluster_seconds",
                        "push",
                    )
                },
            },
            {
                "name": f"search_unscoped@{r['cases']}",
                "value": r["unscoped"]["p95_ms"],
                "unit": "ms p95",
                # a stress figure with no target of its own (the product always scopes a search): set against
                # the scoped search's target for scale
                "floor": 100,
                "compared_with": "the scoped search's target (100 ms), for scale: no target of its own",
                "detail": r["unscoped"],
            },
        ]
    store(entries)
    print(json.dumps(results, indent=2, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, action="append")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_SEARCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--reuse", action="store_true", help="keep the generated cases (and documents) if there are N")
    parser.add_argument("--cluster", action="store_true", help="store the documents in court order (CLUSTER) first")
    args = parser.parse_args()
    record([run(n, args.database_url, reuse=args.reuse, cluster=args.cluster) for n in args.cases or [1_000_000]])


if __name__ == "__main__":
    main()
