"""Data: a leader's individual supervision acts are refused on a case that is not a four-category case
(法发〔2021〕30号): the negative items CHF/PRE/VPR-N3 … N7, condition ``case.is_four_category == false``.

Forwards installs them, or brings an existing item of the same code back to the default (active) as a new
revision; backwards deactivates them as a new revision (items and revisions are kept for life: the audit of
refused attempts names them)."""

from django.db import migrations

CODES = [f"{prefix}-N{number}" for prefix in ("CHF", "PRE", "VPR") for number in range(3, 8)]
FIELDS = ("title", "action_type", "scope", "effect", "legal_basis", "conditions", "is_active")


def _snapshot(item):
    return {"code": item.code, "role": item.role_id, **{name: getattr(item, name) for name in FIELDS}, "revision": item.revision}


def _revise(item, revision_model, changes, reason):
    for name, value in changes.items():
        setattr(item, name, value)
    item.revision += 1
    item.save()
    revision_model.objects.create(item=item, revision=item.revision, snapshot=_snapshot(item), reason=reason)


def forwards(apps, schema_editor):
    """Only this migration's items: the rest of the default list is installed by the migrations that bring it."""
    from accountability.default_power_list import default_items

    power_item, revision = apps.get_model("accountability", "PowerItem"), apps.get_model("accountability", "PowerItemRevision")
    existing = {item.code: item for item in power_item.objects.filter(code__in=CODES)}
    for data in default_items():
        if data["code"] not in CODES:
            continue
        wanted = {name: data[name] for name in FIELDS if name != "is_active"} | {"is_active": True}
        item = existing.get(data["code"])
        if item is None:
            item = power_item.objects.create(code=data["code"], role_id=data["role"], revision=1, **wanted)
            revision.objects.create(item=item, revision=1, snapshot=_snapshot(item), reason="default list")
            continue
        changes = {name: value for name, value in wanted.items() if getattr(item, name) != value}
        if item.role_id != data["role"]:
            changes["role_id"] = data["role"]
        if changes:
            _revise(item, revision, changes, "法发〔2021〕30号：个案监督限于“四类案件”")


def backwards(apps, schema_editor):
    power_item, revision = apps.get_model("accountability", "PowerItem"), apps.get_model("accountability", "PowerItemRevision")
    for item in power_item.objects.filter(code__in=CODES, is_active=True):
        _revise(item, revision, {"is_active": False}, "migration 0022 reversed")


class Migration(migrations.Migration):
    dependencies = [("accountability", "0021_poweritem_action_type_callable_choices")]
    operations = [migrations.RunPython(forwards, backwards)]
