import os
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _
from tqdm import tqdm

from orders.actors import Actor
from orders.imports import CREATED, FAILED, REFERENCES, SKIPPED, import_lines


def unapplied_migrations(database: str = DEFAULT_DB_ALIAS) -> int:
    """How many migrations the database lacks (all of them on an empty database)."""
    executor = MigrationExecutor(connections[database])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


class Command(BaseCommand):
    help = (
        "Import orders from a JSON Lines file, one order per line in the API's Order wire "
        "shape (as `export_orders --format jsonl` writes). Each order is created through the "
        "services all or nothing; a line whose external_order_id (or import_key) exists "
        "already is skipped, so running it again changes nothing. The export's first line "
        "lists the channels, companies, carriers, ways of shipping and paying and statuses "
        "the orders use; they are matched here by name, and --create-missing creates those "
        "this instance lacks. Bad lines are reported by number on stderr and the rest are "
        "imported; the exit code is non-zero if any line failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.jsonl", help="The file to import.")
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="Create the reference objects of the file's references line that do not "
            "exist here (matched by name; e.g. into a fresh instance).",
        )

    def handle(self, *args, file: str, create_missing: bool, **options):
        if not os.path.isfile(file):
            raise CommandError(_("%(file)s: no such file.") % {"file": file})
        missing = unapplied_migrations()
        if missing:
            raise CommandError(
                _(
                    "The database is not migrated (%(count)d migrations to apply): run "
                    "`manage.py migrate` first."
                )
                % {"count": missing}
            )
        actor = Actor.for_command("import_orders")
        counts = {CREATED: 0, SKIPPED: 0, FAILED: 0}
        with (
            open(file, "rb") as lines,
            tqdm(
                total=os.path.getsize(file),
                unit="B",
                unit_scale=True,
                file=sys.stderr,
                disable=options["verbosity"] == 0,
            ) as bar,
        ):
            position = 0
            for outcome in import_lines(lines, actor=actor, create_missing=create_missing):
                if outcome.outcome == REFERENCES:
                    with tqdm.external_write_mode(file=sys.stderr):
                        self.stdout.write(
                            _("line %(number)d: %(reason)s")
                            % {"number": outcome.number, "reason": outcome.reason}
                        )
                else:
                    counts[outcome.outcome] += 1
                if outcome.outcome == FAILED:
                    # Moves the bar out of the way while the line is printed.
                    with tqdm.external_write_mode(file=sys.stderr):
                        self.stderr.write(
                            _("line %(number)d: %(reason)s")
                            % {"number": outcome.number, "reason": outcome.reason}
                        )
                bar.update(lines.tell() - position)
                position = lines.tell()
        summary = _(
            "%(created)d created, %(skipped)d skipped (already imported), %(failed)d failed."
        ) % {"created": counts[CREATED], "skipped": counts[SKIPPED], "failed": counts[FAILED]}
        if counts[FAILED]:
            raise CommandError(_("Import finished with errors: %(summary)s") % {"summary": summary})
        self.stdout.write(
            self.style.SUCCESS(_("Import finished: %(summary)s") % {"summary": summary})
        )
