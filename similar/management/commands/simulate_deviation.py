import json

from django.core.management.base import BaseCommand, CommandError

from similar import services as similar
from similar.models import DeviationRule


class Command(BaseCommand):
    help = (
        "Simulate a deviation warning rule (偏离预警) on the most recently decided cases before switching it on; "
        "with --activate, switch it on afterwards. Writes nothing otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="the rule's code, e.g. DEV-01")
        parser.add_argument("--limit", type=int, default=500, help="how many recent decided cases (default 500)")
        parser.add_argument("--activate", action="store_true", help="switch the rule on after the simulation")

    def handle(self, *args, code, limit, activate, **options):
        rule = DeviationRule.objects.filter(code=code).first()
        if rule is None:
            known = ", ".join(DeviationRule.objects.values_list("code", flat=True)) or "none"
            raise CommandError(f"code: no deviation rule {code!r} (known: {known})")
        if limit < 1:
            raise CommandError("--limit: must be at least 1")
        result = similar.deviation_simulate(rule, limit=limit)
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=1))
        if activate:
            similar.deviation_rule_activate(rule=rule)
            self.stdout.write(f"{rule.code} is active")
