from django.core.management.base import BaseCommand

from accountability.outbox import relay


class Command(BaseCommand):
    help = "Send the outbox's unsent tasks to Celery (beat does this every minute)."

    def handle(self, *args, **options):
        self.stdout.write(f"{relay()} task(s) sent")
