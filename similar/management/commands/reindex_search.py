import sys

from django.core.management.base import BaseCommand

from similar import services as similar


class Command(BaseCommand):
    help = (
        "Rebuild the similar-case search index (after the legal-terms dictionary changes); with --cluster, then "
        "store the documents in court order (PostgreSQL's CLUSTER: locks the table while it runs)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cluster", action="store_true", help="store the documents in court order afterwards")

    def handle(self, *args, **options):
        tty = sys.stderr.isatty()

        def progress(done: int, total: int) -> None:
            line = f"cases: {done}/{total} ({done * 100 // max(total, 1)}%)"
            self.stderr.write(f"\r{line}\033[K" if tty else line, ending="" if tty else "\n")

        counts = similar.reindex_all(progress=progress)
        if tty:
            self.stderr.write("")
        self.stdout.write(f"indexed {counts['references']} reference cases and {counts['cases']} decided cases")
        if options["cluster"]:
            clustered = similar.cluster_documents()
            self.stdout.write("documents stored in court order" if clustered else "not clustered (PostgreSQL only)")
