import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from cases.models import Case
from interchange import generator


class Command(BaseCommand):
    help = (
        "Fill an empty PostgreSQL database (migrated) with a province: 200 courts, 15,000 officers, N cases and "
        "10·N actions, in set-wise SQL, the same data every time. For benchmarks and load tests, never production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True)

    def handle(self, *args, cases, **options):
        if connection.vendor != "postgresql":
            raise CommandError("generate_data needs PostgreSQL (it uses generate_series and fills tables in bulk).")
        if cases < 1:
            raise CommandError("--cases must be at least 1.")
        if Case.objects.exists():
            raise CommandError("The database already holds cases: generate into an empty (migrated) database.")
        started = time.perf_counter()

        def progress(what: str, seconds: float) -> None:
            self.stderr.write(f"{what}: {seconds:.1f}s")

        with connection.cursor() as cursor:
            generator.generate(cursor, cases, progress=progress)
        total = time.perf_counter() - started
        self.stdout.write(
            f"{cases:,} cases and {cases * 10:,} actions in {total:.1f}s ({cases * 11 / total:,.0f} rows/s)"
        )
