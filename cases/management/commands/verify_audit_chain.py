import sys

from django.core.management.base import BaseCommand, CommandError

from cases.audit import verify_chains
from cases.models import Case


class Command(BaseCommand):
    help = "Walk the hash chains of the case trace; exit 0 when intact, 1 listing each broken link."

    def add_arguments(self, parser):
        parser.add_argument("--case", dest="case_number", help="only this case number")

    def handle(self, *args, case_number=None, **options):
        if case_number is not None and not Case.objects.filter(case_number=case_number).exists():
            raise CommandError(f"no such case: {case_number}")

        def progress(done: int, total: int) -> None:
            self.stderr.write(f"\rchecked {done}/{total} cases", ending="")
            self.stderr.flush()

        broken = verify_chains(case_number=case_number, progress=progress if sys.stderr.isatty() else None)
        if sys.stderr.isatty():
            self.stderr.write("")
        if broken:
            for link in broken:
                self.stdout.write(f"BROKEN {link}")
            self.stdout.write(f"{len(broken)} broken link(s)")
            sys.exit(1)
        self.stdout.write("all chains intact")
