"""The interference form (issue 19): a case number typed with half-width brackets finds the case, and the time
of the contact defaults to now, in the courts' time zone."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from cases.filing import case_number_normalise
from interference.models import InterferenceRecord
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_case_numbers_are_normalised_to_full_width_brackets():
    assert case_number_normalise("(2026)沪0101民初133号") == "（2026）沪0101民初133号"
    assert case_number_normalise(" （2026） 沪0101民初133号 ") == "（2026）沪0101民初133号"


def test_a_half_width_case_number_records_against_the_case(world):
    case = world.case(case_number="（2026）沪0101民初133号")
    response = client_for(world.judge).post(
        reverse("interference:new"),
        {
            "case_number": "(2026)沪0101民初133号",
            "source_kind": "party",
            "person_name": "张某",
            "channel": "in_person",
            "occurred_at": "2026-11-01T10:00",
            "content": "要求关照",
            "handling": "拒绝并告知将如实记录",
        },
    )
    assert response.status_code == 302
    assert InterferenceRecord.objects.get().case_id == case.pk


@time_machine.travel("2026-12-04 15:20:00+00:00", tick=False)
def test_the_form_defaults_the_time_to_now_in_local_time(world):
    html = client_for(world.judge).get(reverse("interference:new")).content.decode()
    assert re.search(r'id="occurred_at" name="occurred_at" value="2026-12-04T23:20"', html)
