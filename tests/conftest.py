"""Shared set-up: one court with two departments, a second unrelated court, and officers of each role."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accountability.choices import Post
from accountability.models import Department, Officer, Organisation
from cases import services
from cases.models import Case
from tests.factories import CaseFactory, DepartmentFactory, OrganisationFactory, make_leader, make_officer


@dataclass
class World:
    high: Organisation
    court: Organisation
    other_court: Organisation
    civil: Department
    criminal: Department
    other_civil: Department
    judge: Officer
    judge2: Officer
    assistant: Officer
    clerk: Officer
    chief: Officer
    president: Officer
    high_president: Officer
    filing: Officer
    evaluator: Officer
    committee: Officer
    inspector: Officer
    admin: Officer
    other_judge: Officer
    other_chief: Officer
    criminal_chief: Officer

    def case(self, **kwargs) -> Case:
        """An open case (default: civil division, ``judge`` leads, ``judge2`` on the panel, assistant and clerk),
        assigned through the service by the division chief of its department."""
        closing = {k: kwargs.pop(k) for k in ("closed_on", "closing_method", "outcome") if k in kwargs}
        organisation = kwargs.setdefault("organisation", self.court)
        department = kwargs.setdefault("department", self.civil if organisation == self.court else None)
        lead = kwargs.pop("lead_officer", self.judge if organisation == self.court else None)
        home = organisation == self.court
        panel = kwargs.pop("panel", [o for o in (self.judge, self.judge2) if o != lead] if home else [])
        assistants = kwargs.pop("assistants", [self.assistant] if home else [])
        clerks = kwargs.pop("clerks", [self.clerk] if home else [])
        case = CaseFactory(**kwargs)
        if lead is not None:
            assigner = {self.civil: self.chief, self.criminal: self.criminal_chief}.get(department, self.other_chief)
            services.case_assign(
                actor=assigner, case=case, lead_officer=lead, panel=panel, assistants=assistants, clerks=clerks
            )
        if closing:  # set-up only: closing through the service is tested on its own
            Case.objects.filter(pk=case.pk).update(**closing)
        return (
            Case.objects.select_related("organisation", "department").prefetch_related("participants").get(pk=case.pk)
        )


def ensure_reference_data() -> None:
    """Transactional tests (live server, real worker) flush every table afterwards, data migrations'
    rows included: put the roles, the power list, the defect catalogue and the ranges back, as the
    migrations do (each step is idempotent)."""
    import importlib

    from django.apps import apps

    from accountability.models import Role
    from cases.default_procedures import install as install_procedures
    from cases.models import FlowNode, ProcedureRule, ProcedureRuleRevision
    from supervision.default_situations import install as install_situations
    from supervision.default_situations import require_searches
    from supervision.models import Situation, SituationRevision

    if Role.objects.exists():
        return
    for module in (
        "accountability.migrations.0002_roles_and_default_power_list",
        "evaluation.migrations.0003_default_reference_ranges",
        "evaluation.migrations.0006_default_catalogue",
        "evaluation.migrations.0009_defect_item_case_types",
        "accountability.migrations.0016_similar_search_power_items",
        "accountability.migrations.0019_audit_events",
        "accountability.migrations.0023_filing_officer_and_case_life_items",
        "discipline.migrations.0006_default_sanction_rules",
        "deliberation.migrations.0002_append_only_and_defaults",
        "deliberation.migrations.0005_panel_referrals",
        "deliberation.migrations.0006_referralrule_matters",
        "procuratorate.migrations.0002_reference_data",
        "procuratorate.migrations.0003_prosecutor_defect_catalogue",
        "procuratorate.migrations.0004_decision_nodes_optional",
        "evaluation.migrations.0013_pointthreshold_organisation_kind",
        "procuratorate.migrations.0005_point_thresholds",
        "similar.migrations.0004_deviation_warning",
        "assessment.migrations.0002_default_schemes",
    ):
        importlib.import_module(module).forwards(apps, None)
    install_situations(Situation, SituationRevision)  # what cases' migrations 0008, 0010 and 0012 installed
    require_searches(Situation, SituationRevision)
    install_procedures(ProcedureRule, ProcedureRuleRevision, FlowNode)  # cases' migration 0018
    importlib.import_module("procuratorate.migrations.0006_own_situations").forwards(apps, None)


@pytest.fixture
def world(db) -> World:
    ensure_reference_data()
    high = OrganisationFactory(code="HIGH", name="上海市高级人民法院", level="high", case_code="沪")
    court = OrganisationFactory(code="SH0101", name="上海市黄浦区人民法院", parent=high, case_code="沪0101")
    other = OrganisationFactory(code="JS0102", name="南京市玄武区人民法院", case_code="苏0102")
    civil = DepartmentFactory(organisation=court, code="MS1", name="民事审判第一庭")
    criminal = DepartmentFactory(organisation=court, code="XS", name="刑事审判庭")
    other_civil = DepartmentFactory(organisation=other, code="MS1", name="民事审判第一庭")
    o, leader = make_officer, make_leader
    return World(
        high=high,
        court=court,
        other_court=other,
        civil=civil,
        criminal=criminal,
        other_civil=other_civil,
        judge=o("judge", roles=["judge"], organisation=court, department=civil, is_quota=True, name="王法官"),
        judge2=o("judge2", roles=["judge"], organisation=court, department=civil, is_quota=True, name="李法官"),
        assistant=o("assistant", roles=["assistant"], organisation=court, department=civil, name="赵助理"),
        clerk=o("clerk", roles=["clerk"], organisation=court, department=civil, name="钱书记员"),
        chief=leader(
            "chief",
            Post.DIVISION_CHIEF,
            roles=["judge", "division_chief"],
            organisation=court,
            department=civil,
            name="孙庭长",
        ),
        president=leader("president", Post.PRESIDENT, roles=["judge", "president"], organisation=court, name="周院长"),
        high_president=o("high_president", roles=["president"], organisation=high, post=Post.PRESIDENT, name="吴院长"),
        filing=o("filing", roles=["case_management"], organisation=court, name="郑立案"),
        evaluator=o("evaluator", roles=["evaluator"], organisation=court, name="冯评查"),
        committee=o("committee", roles=["committee_member"], organisation=high, name="陈委员"),
        inspector=o("inspector", roles=["inspector"], organisation=court, name="褚督察"),
        admin=o("sysadmin", roles=["administrator"], organisation=court, name="卫管理员"),
        other_judge=o("other_judge", roles=["judge"], organisation=other, department=other_civil, is_quota=True),
        other_chief=leader(
            "other_chief",
            Post.DIVISION_CHIEF,
            roles=["judge", "division_chief"],
            organisation=other,
            department=other_civil,
        ),
        criminal_chief=leader(
            "criminal_chief",
            Post.DIVISION_CHIEF,
            roles=["judge", "division_chief"],
            organisation=court,
            department=criminal,
        ),
    )


@contextlib.contextmanager
def past_append_only_triggers() -> Iterator[None]:
    """Writes inside the block go behind the application's back, as the database's owner could write: on
    PostgreSQL past the append-only triggers (``session_replication_role``); other databases have none."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            yield
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def client_for(officer: Officer) -> APIClient:
    """A logged-in API client (session): each request loads its user afresh, as in production."""
    client = APIClient()
    client.force_login(officer.user)
    return client


@pytest.fixture
def today() -> dt.date:
    return dt.date.today()


@pytest.fixture(autouse=True)
def eager_tasks_unless_worker(request):
    """Only tests marked ``celery_worker`` send tasks to the broker (a real worker runs them in CI);
    every other test runs tasks in-process, so none is left queued in Redis."""
    from accountability.celery import app

    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
