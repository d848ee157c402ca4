import gc
import sys
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from interchange.importing.importer import Importer


class Command(BaseCommand):
    help = (
        "Import organisations, departments, officers, cases, actions and weights (CSV or XLSX) from DIR, "
        "validating everything first and writing all or nothing (INTERCHANGE.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--dry-run", action="store_true", help="validate and count, then write nothing")
        parser.add_argument("--user", help="username recorded as the importer (default: the operating-system user)")

    def handle(self, *args, directory, dry_run=False, user=None, **options):
        account = None
        if user is not None:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"--user: no such user {user!r}")
        started = time.monotonic()
        tty = sys.stderr.isatty()

        def progress(file: str, phase: str, rows: int) -> None:
            rate = rows / max(time.monotonic() - started, 1e-6)
            line = f"{file}: {phase} {rows} rows ({rate:,.0f} rows/s overall)"
            if tty:
                self.stderr.write(f"\r{line}\033[K", ending="")
            else:
                self.stderr.write(line)
            self.stderr.flush()

        # What is loaded before the import (Django, the models) is set aside while it runs, so the collector's
        # passes during a million-row import do not walk it again and again (about a tenth of its Python time).
        gc.freeze()
        try:
            result = Importer(directory, user=account, progress=progress).run(dry_run=dry_run)
        finally:
            gc.unfreeze()
        if tty:
            self.stderr.write("")
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(str(problem))
            self.stderr.write(f"{len(result.problems)} problem(s); nothing was written.")
            sys.exit(1)
        verb = "would be" if dry_run else "were"
        for stem, counts in result.counts.items():
            summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
            self.stdout.write(f"{stem}: {summary}")
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"{'dry run: nothing written; ' if dry_run else ''}these changes {verb} made in {elapsed:.1f}s"
        )
