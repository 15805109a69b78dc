from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from notifications.retention import purge_events, purgeable_events


class Command(BaseCommand):
    help = (
        "Delete outbox events older than --older-than-days that every receiver is done with "
        "(dispatched, no delivery pending), with their delivery log. The change feed can no "
        "longer serve them, so choose how far back integrators may catch up."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than-days", type=int, required=True)
        parser.add_argument("--dry-run", action="store_true", help="Only count them.")

    def handle(self, *args, older_than_days: int, dry_run: bool, **options):
        if older_than_days < 1:
            raise CommandError(_("--older-than-days must be at least 1."))
        before = timezone.now() - timedelta(days=older_than_days)
        if dry_run:
            count = purgeable_events(before=before).count()
            self.stdout.write(
                ngettext(
                    "%(count)d event would be deleted.", "%(count)d events would be deleted.", count
                )
                % {"count": count}
            )
            return
        with tqdm(unit="event", disable=options["verbosity"] == 0) as bar:
            deleted = purge_events(before=before, progress=bar.update)
        self.stdout.write(
            ngettext("Deleted %(count)d event.", "Deleted %(count)d events.", deleted)
            % {"count": deleted}
        )
