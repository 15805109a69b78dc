import os
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from orders.actors import Actor
from orders.imports import CREATED, FAILED, SKIPPED, import_lines


class Command(BaseCommand):
    help = (
        "Import orders from a JSON Lines file, one order per line in the API's Order wire "
        "shape (as `export_orders --format jsonl` writes). Each order is created through the "
        "services all or nothing; a line whose external_order_id exists already is skipped, "
        "so running it again changes nothing. Bad lines are reported by number on stderr and "
        "the rest are imported; the exit code is non-zero if any line failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.jsonl", help="The file to import.")

    def handle(self, *args, file: str, **options):
        if not os.path.isfile(file):
            raise CommandError(f"{file}: no such file.")
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
            for outcome in import_lines(lines, actor=actor):
                counts[outcome.outcome] += 1
                if outcome.outcome == FAILED:
                    # Moves the bar out of the way while the line is printed.
                    with tqdm.external_write_mode(file=sys.stderr):
                        self.stderr.write(f"line {outcome.number}: {outcome.reason}")
                bar.update(lines.tell() - position)
                position = lines.tell()
        summary = (
            f"{counts[CREATED]} created, {counts[SKIPPED]} skipped (already imported), "
            f"{counts[FAILED]} failed."
        )
        if counts[FAILED]:
            raise CommandError(f"Import finished with errors: {summary}")
        self.stdout.write(self.style.SUCCESS(f"Import finished: {summary}"))
