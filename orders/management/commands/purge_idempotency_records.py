from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from orders.api.idempotency import TTL, purge_expired


class Command(BaseCommand):
    help = (
        f"Delete the stored answers of Idempotency-Key requests older than {TTL} (they can no "
        "longer be replayed). Run it daily, e.g. from cron."
    )

    def handle(self, *args, **options):
        deleted = purge_expired()
        self.stdout.write(
            ngettext(
                "Deleted %(count)d expired idempotency record.",
                "Deleted %(count)d expired idempotency records.",
                deleted,
            )
            % {"count": deleted}
        )
