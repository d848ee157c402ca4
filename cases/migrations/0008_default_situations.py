"""Data: one manual situation per category (法发〔2021〕30号); the rule library adds the rest."""

from django.db import migrations

SITUATIONS = [
    ("M-01", "major", "涉及国家利益、社会公共利益，或者重大、疑难、复杂、敏感的案件"),
    ("G-01", "group", "涉及群体性纠纷或者引发社会广泛关注，可能影响社会稳定的案件"),
    ("C-01", "conflict", "与本院或者上级法院的类案裁判可能发生冲突的案件"),
    ("R-01", "reported", "有关单位或者个人反映法官有违法审判行为的案件"),
]


def forwards(apps, schema_editor):
    Situation = apps.get_model("cases", "Situation")
    for code, category, title in SITUATIONS:
        Situation.objects.get_or_create(code=code, defaults={"category": category, "title": title, "kind": "manual"})


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_situation_alter_action_action_type_flag")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
