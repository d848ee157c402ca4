import json

from django.core.management.base import BaseCommand

from cases.audit import digest_chain_heads, digest_export


class Command(BaseCommand):
    help = (
        "Store today's digest of every chain head (the nightly task does the same); --export prints them all as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--export", action="store_true", help="print every stored digest as JSON, oldest first")

    def handle(self, *args, export=False, **options):
        if export:
            self.stdout.write(json.dumps(digest_export(), ensure_ascii=False, indent=2))
            return
        digest = digest_chain_heads()
        self.stdout.write(f"{digest.day} chains={digest.chains} actions={digest.actions} digest={digest.digest}")
