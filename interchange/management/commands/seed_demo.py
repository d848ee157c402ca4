import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accountability.models import Organisation
from interchange import demo, demo_procuratorate


class Command(BaseCommand):
    help = "Load the demo (courts, a procuratorate, officers of every role with demo logins, two years of cases)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="allow loading with DEBUG off")
        parser.add_argument("--cases-per-court", type=int, default=600, help="first-instance cases per basic court")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="the address printed for logging in")

    def handle(self, *args, force=False, cases_per_court=600, seed=2026, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo loads demo logins with a published password; with DEBUG off, add --force.")
        if Organisation.objects.filter(code="SHG").exists():
            self.stdout.write("The demo is already loaded.")
        else:
            started = time.monotonic()
            tty = sys.stderr.isatty()

            def progress(file: str, phase: str, rows: int) -> None:
                self.stderr.write(
                    f"\r{file}: {phase} {rows} rows\033[K" if tty else f"{file}: {phase} {rows} rows",
                    ending="" if tty else "\n",
                )

            counts = demo.load(seed=seed, cases_per_basic_court=cases_per_court, progress=progress)
            if tty:
                self.stderr.write("")
            self.stdout.write(
                f"Demo loaded in {time.monotonic() - started:.0f}s: {counts['cases']} cases, {counts['officers']} officers, "
                f"{counts['reviews']} quality reviews; tonight's metrics computed."
            )
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {settings.QUANZE_DEMO_PASSWORD}):")
        for username, description in [*demo.DEMO_LOGINS, *demo_procuratorate.LOGINS]:
            self.stdout.write(f"  {username:<12} {description}")
        self.stdout.write(f"Open {options['url']} and log in.")
