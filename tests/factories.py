"""factory_boy factories: people, organisations and cases built through the services where it matters."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from accountability.choices import OrganisationKind, OrganisationLevel, Post
from accountability.models import Department, Officer, Organisation
from accountability.services import officer_save, organisation_save
from cases.models import Case

PASSWORD = "Correct-Horse-42"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    code = factory.Sequence(lambda n: f"ORG{n:03d}")
    name = factory.Sequence(lambda n: f"第{n}基层人民法院")
    kind = OrganisationKind.COURT
    level = OrganisationLevel.BASIC
    parent = None
    case_code = factory.Sequence(lambda n: f"测{n:04d}")  # 法院代字 in case numbers; the world's courts set real ones

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return organisation_save(organisation=model_class(*args, **kwargs))


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    organisation = factory.SubFactory(OrganisationFactory)
    code = factory.Sequence(lambda n: f"D{n:02d}")
    name = factory.Sequence(lambda n: f"民事审判第{n}庭")


def make_officer(
    officer_id: str,
    *,
    roles: list[str],
    organisation: Organisation,
    department: Department | None = None,
    post: str = Post.NONE,
    is_quota: bool = False,
    name: str | None = None,
) -> Officer:
    officer = Officer(
        officer_id=officer_id,
        name=name or officer_id,
        organisation=organisation,
        department=department,
        post=post,
        is_quota=is_quota,
    )
    return officer_save(officer=officer, roles=roles, username=officer_id, password=PASSWORD)


def make_leader(
    officer_id: str,
    post: str,
    *,
    roles: list[str],
    organisation: Organisation,
    department: Department | None = None,
    name: str | None = None,
) -> Officer:
    """A president, vice president or division chief, holding a quota seat (a leader also handles cases)."""
    return make_officer(
        officer_id, roles=roles, organisation=organisation, department=department, post=post, is_quota=True, name=name
    )


class CaseFactory(factory.django.DjangoModelFactory):
    """A case written directly (test set-up); services are tested on their own."""

    class Meta:
        model = Case

    case_number = factory.Sequence(lambda n: f"（2024）沪0101民初{n}号")
    organisation = factory.SubFactory(OrganisationFactory)
    department = None
    case_type = "civil"
    procedure = "first_instance"
    cause = "民间借贷纠纷"
    filed_on = dt.date(2024, 1, 10)
    time_limit_days = 180


def user_model():
    return get_user_model()
