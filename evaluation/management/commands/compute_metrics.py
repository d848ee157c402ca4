import sys
import time

from django.core.management.base import BaseCommand, CommandError

from accountability.errors import ValidationFailed
from evaluation.services import metrics_store, window_parse


class Command(BaseCommand):
    help = "Compute every metric for every subject for the window and store the results (as the nightly job does)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")

    def handle(self, *args, start, end, **options):
        try:
            window = window_parse(start=start, end=end)
        except ValidationFailed as exc:
            raise CommandError(exc.message) from None
        started = time.monotonic()
        tty = sys.stderr.isatty()

        def progress(done: int, total: int, code: str) -> None:
            line = f"organisation {done}/{total} ({code})"
            self.stderr.write(f"\r{line}\033[K" if tty else line, ending="" if tty else "\n")

        stored = metrics_store(window=window, progress=progress)
        if tty:
            self.stderr.write("")
        self.stdout.write(
            f"{stored} results stored for {window.start}..{window.end} in {time.monotonic() - started:.1f}s"
        )
