import sys

from django.core.management.base import BaseCommand

from interchange.importing.references import import_reference_cases


class Command(BaseCommand):
    help = (
        "Import guiding, SPC typical and provincial reference cases (CSV or XLSX) for similar-case search: "
        "every row checked first, all written and indexed or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check and count, then write nothing")

    def handle(self, *args, file, dry_run=False, **options):
        result = import_reference_cases(file, dry_run=dry_run)
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(str(problem))
            self.stderr.write(f"{len(result.problems)} problem(s); nothing was written.")
            sys.exit(1)
        prefix = "dry run, nothing written: " if dry_run else ""
        self.stdout.write(f"{prefix}{result.created} created, {result.updated} updated, {result.unchanged} unchanged")
