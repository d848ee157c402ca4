"""The province generator fills an empty PostgreSQL database with the same data every time."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count

from accountability.models import Officer, Organisation
from cases.models import Action, Case

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the generator is PostgreSQL's generate_series"),
]


def test_generate_data_fills_a_province_in_its_proportions(capsys):
    call_command("generate_data", "--cases", "400")
    assert Organisation.objects.count() == 200
    assert Organisation.objects.filter(level="basic").count() == 180
    assert Officer.objects.count() == 15000
    assert Officer.objects.filter(roles="division_chief").count() == 1000
    assert Case.objects.count() == 400 and Action.objects.count() == 4000
    procedures = dict(Case.objects.values_list("procedure").annotate(n=Count("pk")))
    assert procedures == {"first_instance": 320, "second_instance": 48, "retrial": 12, "enforcement": 20}
    first = list(Case.objects.order_by("pk").values_list("case_number", "filed_on", "closed_on")[:5])
    assert "400 cases and 4,000 actions" in capsys.readouterr().out
    with pytest.raises(CommandError, match="already holds cases"):
        call_command("generate_data", "--cases", "10")
    assert list(Case.objects.order_by("pk").values_list("case_number", "filed_on", "closed_on")[:5]) == first
