import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accountability import chain
from cases.audit import verify_chains, verify_digests
from cases.models import Case


class Command(BaseCommand):
    help = (
        "Walk every hash chain (case traces, the interference register, discipline proceedings, the audit and "
        "sign-in events) checking each link's hash and its keyed seal and each head's seal, and the chain of "
        "daily digests (compared with a copy kept outside, given with --digests); exit 0 when intact, 1 listing "
        "each broken link by chain."
    )

    def add_arguments(self, parser):
        parser.add_argument("--case", dest="case_number", help="only this case number's trace")
        parser.add_argument("--digests", help="a JSON file written by digest_chain_heads --export, kept outside")

    def handle(self, *args, case_number=None, digests=None, **options):
        if case_number is not None and not Case.objects.filter(case_number=case_number).exists():
            raise CommandError(f"no such case: {case_number}")
        try:
            kept = json.loads(Path(digests).read_text(encoding="utf-8")) if digests else None
        except (OSError, ValueError) as exc:
            raise CommandError(f"--digests: cannot read {digests}: {exc}") from exc

        def progress(done: int, total: int) -> None:
            self.stderr.write(f"\rchecked {done}/{total} cases", ending="")
            self.stderr.flush()

        broken = verify_chains(case_number=case_number, progress=progress if sys.stderr.isatty() else None)
        if sys.stderr.isatty():
            self.stderr.write("")
        problems = [f"BROKEN {link}" for link in broken]
        if case_number is None:
            problems += [f"BROKEN {problem}" for problem in verify_digests(kept)]
            for name, checker in chain.CHECKERS.items():
                if name == "case traces and daily digests":
                    continue  # walked above, with progress and the copy kept outside
                problems += [f"BROKEN {problem}" for problem in checker()]
        if problems:
            for problem in problems:
                self.stdout.write(problem)
            self.stdout.write(f"{len(problems)} broken link(s)")
            sys.exit(1)
        self.stdout.write("all chains intact")
