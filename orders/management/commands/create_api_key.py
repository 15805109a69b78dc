"""manage.py create_api_key NAME [--read-only]: make a key for an external system."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from orders.api_keys import create_api_key


class Command(BaseCommand):
    help = (
        "Create an API key. The plain key is printed alone on stdout (so it can be piped); "
        "it is shown only this once."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="Who uses the key, e.g. 'Web shop' or 'GoPay'.")
        parser.add_argument(
            "--read-only", action="store_true", help="The key may only read (GET) orders."
        )

    def handle(self, *args, name, read_only, **options):
        name = name.strip()
        if not name:
            raise CommandError(_("The key needs a name."))
        key, plain = create_api_key(name=name, read_only=read_only)
        message = (
            _(
                "Created read-only API key #%(id)s %(name)r. Store it now: it cannot be shown "
                "again. Send it in the 'token' header."
            )
            if key.read_only
            else _(
                "Created read-write API key #%(id)s %(name)r. Store it now: it cannot be shown "
                "again. Send it in the 'token' header."
            )
        )
        self.stderr.write(message % {"id": key.pk, "name": key.name})
        self.stdout.write(plain)
