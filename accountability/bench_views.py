"""A bare endpoint for the action-logging benchmark: same stack (gunicorn, DRF, token auth, JSON),
one INSERT, no power check, no chain. Mounted only when QUANZE_BENCH_ENDPOINTS is set; never in a
real deployment."""

from __future__ import annotations

from django.db import connection
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class BareInsertView(APIView):
    def post(self, request: Request) -> Response:
        note = str(request.data.get("note", ""))[:200]
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_bare (user_id, note, at) VALUES (%s, %s, now())", [request.user.pk, note])
        return Response({"ok": True}, status=status.HTTP_201_CREATED)
