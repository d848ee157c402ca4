"""seed_demo builds a working demo (small here) and refuses to run with DEBUG off unless forced."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.audit import verify_chains
from cases.models import Case
from evaluation.models import MetricResult, Review
from supervision.models import Flag

pytestmark = pytest.mark.django_db


def test_demo_loads_with_logins_reviews_flags_and_metrics(settings, django_capture_on_commit_callbacks, capsys):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--cases-per-court", "60")
    out = capsys.readouterr().out
    assert "judge1" in out and "Quanze-demo-2026" in out
    assert (
        Case.objects.filter(procedure="second_instance").exists()
        and Case.objects.filter(procedure="enforcement").exists()
    )
    assert Review.objects.exists() and MetricResult.objects.exists()
    assert set(Flag.objects.values_list("status", flat=True)) <= {"pending", "confirmed"}
    assert verify_chains() == []
    # similar-case search works in the demo: reference cases and the decided cases of the judge's court
    from accountability.models import Officer
    from similar import selectors as similar_selectors

    judge = Officer.objects.get(user__username="judge1")
    levels = {hit.level for hit in similar_selectors.search(officer=judge, query="物业费").hits}
    assert 3 in levels and 5 in levels, levels
    # a discipline proceeding at the notice stage, seen by judge1 and the committee, not by the judge's chief
    from discipline.selectors import proceedings_visible_to

    assert proceedings_visible_to(judge.user).get().stage == "notified"
    assert proceedings_visible_to(Officer.objects.get(user__username="committee1").user).exists()
    assert not proceedings_visible_to(Officer.objects.get(user__username="chief1").user).exists()
    call_command("seed_demo")  # a second run changes nothing
    assert "already loaded" in capsys.readouterr().out


def test_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
