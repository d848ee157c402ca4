import sys

from django.core.management.base import BaseCommand
from django.db.models import Q

from cases.models import Case
from similar import services as similar


class Command(BaseCommand):
    help = (
        "Compute 类案推送 for the pending cases with text (with --all, every case with text), e.g. after deploying "
        "it or after a large import of decided cases; cases whose text is unchanged are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", dest="every", action="store_true", help="decided cases too (偏离预警 compares them)"
        )
        parser.add_argument("--chunk", type=int, default=200)

    def handle(self, *args, every, chunk, **options):
        text = Q(facts_summary__gt="") | Q(disputed_points__gt="") | Q(ruling_summary__gt="")
        cases = Case.objects.filter(text) if every else Case.objects.filter(text, closed_on__isnull=True)
        ids = list(cases.order_by("pk").values_list("pk", flat=True))
        computed = 0
        for start in range(0, len(ids), max(chunk, 1)):
            part = ids[start : start + chunk]
            computed += similar.push_compute(part)
            similar.deviation_compute(part)
            self.stderr.write(
                f"cases: {min(start + chunk, len(ids))}/{len(ids)}", ending="\n" if not sys.stderr.isatty() else "\r"
            )
        self.stdout.write(f"computed the push of {computed} of {len(ids)} cases")
