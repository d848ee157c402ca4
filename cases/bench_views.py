"""The same-work floor of the action-logging benchmark (issue 23): on the same stack as
``POST /api/cases/{id}/actions/`` (gunicorn, DRF, token authentication, JSON), it takes the same row lock on the
case and appends the same chained row (the same hash, seal, head seal and identity key as ``trace_build``), with
one raw statement to lock and read the head and one to append the row and move the head. It checks no power, no
visibility and no input beyond the note: it is what any chained, row-locked append must cost, not a way in.

Mounted only when QUANZE_BENCH_ENDPOINTS is set (``bench/action_bench.py``); never in a real deployment."""

from __future__ import annotations

import json

from django.db import connection, transaction
from django.http import Http404
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accountability.models import Officer
from cases.choices import ActionSource
from cases.models import Case
from cases.services import trace_build

LOCK = """
SELECT c.id, c.case_number, c.filed_on, c.trace_head, c.trace_length, o.id, o.officer_id
FROM cases_case c LEFT JOIN accountability_officer o ON o.user_id = %s
WHERE c.public_id = %s
FOR UPDATE OF c
"""

APPEND = """
WITH appended AS (
    INSERT INTO cases_action (case_id, seq, case_year, action_type, occurred_at, recorded_at, actor_id,
                              recorded_by_id, source, note, payload, power_item_code, dedup_key, prev_hash, hash, mac)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, '', %s, %s, %s, %s)
    RETURNING case_id, seq, hash
)
UPDATE cases_case SET trace_head = appended.hash, trace_length = appended.seq, trace_mac = %s
FROM appended WHERE cases_case.id = appended.case_id
"""


class ChainedAppendView(APIView):
    def post(self, request: Request, id: str) -> Response:
        note = str(request.data.get("note", ""))[:10000]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(LOCK, [request.user.pk, id])
            row = cursor.fetchone()
            if row is None or row[5] is None:
                raise Http404
            case = Case(pk=row[0], case_number=row[1], filed_on=row[2], trace_head=row[3], trace_length=row[4])
            actor = Officer(pk=row[5], officer_id=row[6], user_id=request.user.pk)
            action = trace_build(case=case, action_type="note", actor=actor, source=ActionSource.API, note=note)
            cursor.execute(
                APPEND,
                [
                    case.pk,
                    action.seq,
                    action.case_year,
                    action.action_type,
                    action.occurred_at,
                    action.recorded_at,
                    actor.pk,
                    action.recorded_by_id,
                    action.source,
                    action.note,
                    json.dumps(action.payload, ensure_ascii=False),
                    action.dedup_key,
                    action.prev_hash,
                    action.hash,
                    action.mac,
                    case.trace_mac,
                ],
            )
        return Response({"seq": action.seq, "hash": action.hash}, status=status.HTTP_201_CREATED)
