import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accountability.errors import ValidationFailed
from evaluation.exporting import FORMATS, render, rows_for
from evaluation.models import MetricResult
from evaluation.services import metrics_store, window_parse


class Command(BaseCommand):
    help = "Write the stored metric results of a window (computing them first if absent) as JSON, CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--format", dest="fmt", required=True, choices=FORMATS)
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args, start, end, fmt, output=None, **options):
        try:
            window = window_parse(start=start, end=end)
        except ValidationFailed as exc:
            raise CommandError(exc.message) from None
        if not MetricResult.objects.filter(window_from=window.start, window_to=window.end).exists():
            metrics_store(window=window)
        data = render(rows_for(window), fmt)
        if output:
            Path(output).write_bytes(data)
            self.stderr.write(f"wrote {output}")
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
