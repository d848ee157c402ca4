"""The province generator: N cases and 10·N actions with 200 courts, 1,000 divisions and 15,000 officers, in
set-wise SQL on PostgreSQL (``generate_series``), the same data every time (every value is a formula of the
row number). ``manage.py generate_data --cases N`` runs it into an empty database; the benchmarks use it too.

Proportions: 1 high court, 19 intermediate and 180 basic courts; 5 divisions a court, 15 officers a division
(one chief; presidents and vice presidents among them; 70 % quota judges); cases over three years, 80 % first
instance, 12 % second instance and 3 % retrial pointing at earlier first-instance cases, 5 % enforcement;
10 chained-looking actions a case (the hashes are placeholders: generated data is not a trace to verify).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from cases.partitions import ensure_partitions

SQL = """
INSERT INTO accountability_organisation (id, code, name, kind, level, parent_id, path, created_at, updated_at)
SELECT g,
       'O' || lpad(g::text, 3, '0'),
       '第' || g || '号法院',
       'court',
       CASE WHEN g = 1 THEN 'high' WHEN g <= 20 THEN 'intermediate' ELSE 'basic' END,
       CASE WHEN g = 1 THEN NULL WHEN g <= 20 THEN 1 ELSE 2 + (g % 19) END,
       CASE WHEN g = 1 THEN '/1/' WHEN g <= 20 THEN '/1/' || g || '/' ELSE '/1/' || (2 + (g % 19)) || '/' || g || '/' END,
       now(), now()
FROM generate_series(1, 200) g;

INSERT INTO accountability_department (id, organisation_id, code, name, created_at, updated_at)
SELECT g, (g - 1) / 5 + 1, 'D' || ((g - 1) % 5), '第' || ((g - 1) % 5 + 1) || '庭', now(), now()
FROM generate_series(1, 1000) g;

INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
SELECT 100 + g, '!', false, 'u' || g, '', '', '', false, true, now() FROM generate_series(1, 15000) g;

INSERT INTO accountability_officer
  (id, public_id, user_id, officer_id, name, organisation_id, department_id, post, is_quota, created_at, updated_at)
SELECT g, md5('o' || g)::uuid, 100 + g, 'P' || lpad(g::text, 5, '0'), '干警' || g,
       ((g - 1) / 15) / 5 + 1, (g - 1) / 15 + 1,
       CASE WHEN (g - 1) % 15 = 0 THEN 'division_chief'
            WHEN (g - 1) % 75 = 1 THEN 'president'
            WHEN (g - 1) % 75 = 2 THEN 'vice_president' ELSE 'none' END,
       (g % 10) < 7 OR (g - 1) % 15 = 0 OR (g - 1) % 75 IN (1, 2),
       now(), now()
FROM generate_series(1, 15000) g;

INSERT INTO cases_case
  (id, public_id, case_number, organisation_id, department_id, case_type, procedure, cause, parties,
   filed_on, time_limit_days, extension_days, excluded_days, lead_officer_id, closed_on, closing_method, outcome,
   original_case_id, parties_count, claim_amount, awarded_amount, recovered_amount, version, trace_head, trace_length,
   created_at, updated_at)
SELECT g, md5('c' || g)::uuid, 'C' || g, org, dept, kind, proc, '民间借贷纠纷', '',
       filed, CASE WHEN g % 11 = 0 THEN 0 ELSE 180 END, CASE WHEN g % 13 = 0 THEN 90 ELSE 0 END,
       CASE WHEN g % 17 = 0 THEN 20 ELSE 0 END,
       (dept - 1) * 15 + 1 + (g % 15),
       CASE WHEN closed <= DATE '2025-12-31' AND g % 7 <> 0 THEN closed END,
       CASE WHEN closed <= DATE '2025-12-31' AND g % 7 <> 0 THEN (ARRAY['judgment','ruling','mediation','withdrawal'])[1 + g % 4] ELSE '' END,
       CASE WHEN proc IN ('second_instance', 'retrial') AND closed <= DATE '2025-12-31' AND g % 7 <> 0
            THEN (ARRAY['upheld','amended','remanded','withdrawn','mediated','upheld','upheld'])[1 + g % 7] ELSE '' END,
       -- an appeal, retrial or enforcement comes from an earlier first-instance case (id % 100 < 80)
       CASE WHEN proc <> 'first_instance' AND g > 5000 THEN (g - 5000) - ((g - 5000) % 100) + (g % 80) END,
       2, 100000, CASE WHEN proc = 'enforcement' THEN 80000 END, CASE WHEN proc = 'enforcement' THEN (g % 9) * 10000 END,
       1, md5('h' || g) || md5('t' || g), 10, now(), now()
FROM (
  SELECT g, (g % 200) + 1 AS org, (g % 200) * 5 + (g / 200) % 5 + 1 AS dept,
         DATE '2023-01-01' + ((g::bigint * 7919) % 1095)::int AS filed,
         DATE '2023-01-01' + ((g::bigint * 7919) % 1095)::int + (g % 300) AS closed,
         CASE WHEN g % 100 < 80 THEN 'first_instance' WHEN g % 100 < 92 THEN 'second_instance'
              WHEN g % 100 < 95 THEN 'retrial' ELSE 'enforcement' END AS proc,
         CASE WHEN g % 100 >= 95 THEN 'enforcement' ELSE 'civil' END AS kind
  FROM generate_series(1, %(cases)s) g
) s;

INSERT INTO cases_action
  (case_id, seq, case_year, action_type, occurred_at, recorded_at, actor_id, recorded_by_id, source, note, payload,
   corrects_id, power_item_code, power_item_revision, import_batch_id, dedup_key, prev_hash, hash)
SELECT c, s, extract(year FROM DATE '2023-01-01' + ((c::bigint * 7919) % 1095)::int)::smallint,
       (ARRAY['filed','assigned','hearing_scheduled','evidence_exchanged','hearing_held','deliberated',
              'extension_approved','ruling_signed','served','closed'])[s],
       (DATE '2023-01-01' + ((c::bigint * 7919) % 1095)::int + s * 3)::timestamp + interval '9 hours',
       now(), (((c % 200) * 5 + (c / 200) % 5) * 15 + 1 + (c % 15)), NULL, 'import', '', '{}',
       NULL, '', NULL, NULL, md5(c || ':' || s), md5('p' || c || s) || md5('q' || c || s), md5('h' || c || s) || md5('x' || c || s)
FROM generate_series(1, %(cases)s) c CROSS JOIN generate_series(1, 10) s;

INSERT INTO accountability_officer_roles (officer_id, role_id)
SELECT id, 'judge' FROM accountability_officer
UNION ALL
SELECT id, post FROM accountability_officer WHERE post IN ('division_chief', 'president', 'vice_president');

SELECT setval('accountability_organisation_id_seq', 200);
SELECT setval('accountability_department_id_seq', 1000);
SELECT setval('auth_user_id_seq', 15100);
SELECT setval('accountability_officer_id_seq', 15000);
SELECT setval('cases_case_id_seq', %(cases)s);
ANALYZE;
"""


def statements(cases: int) -> Iterator[tuple[str, str]]:
    """(what, SQL) for each step, with N filled in."""
    names = ["organisations", "departments", "users", "officers", "cases", "actions", "roles", "sequences"]
    parts = [p.strip() for p in SQL.replace("%(cases)s", str(int(cases))).split(";\n\n") if p.strip()]
    for index, part in enumerate(parts):
        yield (names[index] if index < len(names) else "sequences"), part


def generate(cursor: Any, cases: int, *, progress: Callable[[str, float], None] | None = None) -> None:
    """Fill an empty database (its schema migrated) through ``cursor``, step by step."""
    ensure_partitions(first_year=2023, cursor=cursor)  # the generated cases are filed 2023-2025
    for what, statement in statements(cases):
        started = time.perf_counter()
        cursor.execute(statement)
        if progress:
            progress(what, time.perf_counter() - started)
