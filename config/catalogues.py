"""The translation catalogues: update them from the sources, and check them (README, Languages).

    python -m config.catalogues update   # makemessages -l cs for every catalogue, then compile
    python -m config.catalogues check    # what CI runs (make check-messages); exit 1 on a problem

Catalogues: the project's `locale/` (templates/, config/) and each app's own `locale/`
(makemessages puts a file's texts in the nearest app's catalogue). English is the source
language and has no catalogue. The compiled `.mo` files are committed next to their `.po`
(Django reads them at run time, so every way of running the app has them without a build
step); `check` makes sure they hold exactly what the `.po` files say.

`check` fails when
- a text has no Czech translation, a fuzzy one, a plural form left empty, or placeholders
  (%(name)s, {name}) that differ from the English;
- the same English text is translated differently in two catalogues (Django merges them,
  so one of the two would never be shown);
- a catalogue is not current with the sources: a marked text missing from it, or one it
  still lists that no source marks any more (makemessages is run on a copy of the project);
- a `.mo` file is missing or differs from its `.po`.
Extracting needs GNU gettext (xgettext, msgmerge); `make gettext` installs it.
"""

import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.checkers import python_format
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

BASE_DIR = Path(__file__).resolve().parent.parent
LANGUAGES = ["cs"]  # the catalogues' languages (English is the source)
PLURAL_FORMS = {"cs": "nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;"}
# Not the project's texts: tooling, tests, benchmarks, documentation. templates/invoices/
# belongs to the invoices catalogue (invoices/locale), not the project's.
IGNORED = [
    ".venv/*",
    "node_modules/*",
    "staticfiles/*",
    "tests/*",
    "bench/*",
    "docs/*",
    "templates/invoices/*",
]
# What a copy of the project needs for makemessages (sources, templates, catalogues).
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "staticfiles", "__pycache__", ".pytest_cache", "tests",
    "bench", "docs", "*.sqlite3", "*.mo", ".env",
)  # fmt: skip


def catalogue_paths(root: Path = BASE_DIR, language: str = "cs") -> list[Path]:
    """Every `django.po` of the language under root (the project's and the apps')."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in {".git", ".venv", "node_modules"}]
        if "django.po" in filenames and Path(dirpath).parts[-3:] == (
            "locale",
            language,
            "LC_MESSAGES",
        ):
            found.append(Path(dirpath) / "django.po")
    return sorted(found)


def _where(path: Path, root: Path = BASE_DIR):
    """A catalogue's path for a report: relative to the project when it is in it."""
    return path.relative_to(root) if path.is_relative_to(root) else path


def _read(path: Path):
    with open(path, "rb") as file:
        return read_po(file, abort_invalid=True)


def _key(message) -> tuple:
    return (message.context, message.id if isinstance(message.id, str) else message.id[0])


def _translations(catalogue) -> dict:
    return {
        _key(m): tuple(m.string) if isinstance(m.string, tuple | list) else m.string
        for m in catalogue
        if m.id
    }


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)

    def add(self, where, what: str) -> None:
        self.problems.append(f"{where}: {what}")


def check_complete(path: Path, report: Report, language: str = "cs") -> int:
    """Every text translated, nothing fuzzy, every plural form, the same placeholders.
    Returns how many texts the catalogue has."""
    catalogue = _read(path)
    where = _where(path)
    if catalogue.fuzzy:
        report.add(where, "the header is marked fuzzy (remove the '#, fuzzy' above msgid \"\")")
    if (catalogue.plural_forms or "").replace(" ", "") != PLURAL_FORMS[language].replace(" ", ""):
        report.add(where, f"Plural-Forms should be {PLURAL_FORMS[language]!r}")
    count = 0
    for message in catalogue:
        if not message.id:
            continue
        count += 1
        text = message.id if isinstance(message.id, str) else message.id[0]
        if message.fuzzy:
            report.add(where, f"fuzzy translation of {text!r}")
        forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
        expected = catalogue.num_plurals if message.pluralizable else 1
        if len(forms) != expected or not all(form.strip() for form in forms):
            report.add(where, f"no Czech translation of {text!r}")
            continue
        try:
            python_format(catalogue, message)
        except Exception as error:  # babel's TranslationError
            report.add(where, f"{text!r}: {error}")
        english = message.id if isinstance(message.id, tuple | list) else (message.id,)
        for names in (_percent_names, _brace_names):
            wanted = set().union(*map(names, english))
            if wanted and any(names(form) != wanted for form in forms):
                report.add(where, f"{text!r}: the translation must keep {sorted(wanted)}")
    return count


def _percent_names(text: str) -> set[str]:
    """The %(name)s placeholders (msgfmt refuses a translation that drops one)."""
    return set(re.findall(r"%\((\w+)\)", text))


def _brace_names(text: str) -> set[str]:
    """The {name} placeholders of a str.format / format_lazy text."""
    import string

    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        return set()


def check_consistent(paths: list[Path], report: Report) -> None:
    """One English text, one Czech translation across the catalogues."""
    seen: dict = {}
    for path in paths:
        for key, translation in _translations(_read(path)).items():
            if key in seen and seen[key][1] != translation and all(seen[key][1:]):
                report.add(
                    _where(path),
                    f"{key[1]!r} is {translation!r} here but {seen[key][1]!r} in "
                    f"{_where(seen[key][0])}",
                )
            seen.setdefault(key, (path, translation))


def check_compiled(path: Path, report: Report) -> None:
    """The .mo next to the .po holds exactly the .po's translations."""
    compiled = path.with_suffix(".mo")
    where = _where(path)
    if not compiled.exists():
        report.add(where, "not compiled (run `make messages`)")
        return
    with open(compiled, "rb") as file:
        mo = read_mo(file)
    if _translations(mo) != _translations(_read(path)):
        report.add(where, "the compiled .mo differs from the .po (run `make messages`)")


def makemessages(root: Path) -> None:
    """makemessages -l <language> in root, for every catalogue at once: a file's texts go to
    the catalogue of the nearest folder with a `locale/` (an app's), else the project's."""
    command = [sys.executable, "manage.py", "makemessages", "--no-obsolete", "--add-location=file"]
    command += [f"--locale={language}" for language in LANGUAGES]
    command += [f"--ignore={pattern}" for pattern in IGNORED]
    # ENV_FILE= : the copy reads no .env; the settings need nothing from it to extract.
    env = {**os.environ, "ENV_FILE": "", "DJANGO_SETTINGS_MODULE": "config.settings"}
    subprocess.run(command, cwd=root, env=env, check=True, capture_output=True, text=True)


def check_current(report: Report, root: Path = BASE_DIR) -> None:
    """The catalogues list exactly the texts the sources mark: makemessages on a copy."""
    with tempfile.TemporaryDirectory(prefix="catalogues-") as temp:
        copy = Path(temp) / "project"
        shutil.copytree(root, copy, ignore=NOT_COPIED)
        try:
            makemessages(copy)
        except subprocess.CalledProcessError as error:
            report.add("makemessages", error.stderr.strip() or str(error))
            return
        for fresh in catalogue_paths(copy):
            committed = root / fresh.relative_to(copy)
            where = committed.relative_to(root)
            wanted = set(_translations(_read(fresh)))
            have = set(_translations(_read(committed))) if committed.exists() else set()
            for _context, text in sorted(wanted - have, key=str):
                report.add(where, f"not in the catalogue (run `make messages`): {text!r}")
            for _context, text in sorted(have - wanted, key=str):
                report.add(where, f"no source marks it any more (run `make messages`): {text!r}")


def check(*, current: bool = True) -> tuple[Report, dict[Path, int]]:
    report, counts = Report(), {}
    paths = catalogue_paths()
    if not paths:
        report.add(BASE_DIR, "no catalogues found")
    for path in paths:
        counts[path] = check_complete(path, report)
        check_compiled(path, report)
    check_consistent(paths, report)
    if current:
        check_current(report)
    return report, counts


def compile_catalogues() -> None:
    """Compile every catalogue with Django's compilemessages (msgfmt, which also checks the
    placeholders), only ours: not the virtualenv's packages."""
    command = [sys.executable, "manage.py", "compilemessages"]
    command += [f"--locale={language}" for language in LANGUAGES]
    command += ["--ignore=.venv", "--ignore=node_modules"]
    subprocess.run(command, cwd=BASE_DIR, check=True)


def update() -> None:
    """makemessages, keeping a catalogue whose texts did not change as it was (makemessages
    would only bump its POT-Creation-Date, a diff in every commit), then compile."""
    before = {path: path.read_text(encoding="utf-8") for path in catalogue_paths()}
    makemessages(BASE_DIR)
    for path, old in before.items():
        if _without_date(path.read_text(encoding="utf-8")) == _without_date(old):
            path.write_text(old, encoding="utf-8")
    compile_catalogues()


def _without_date(text: str) -> str:
    return re.sub(r'"POT-Creation-Date: [^"]*"\n', "", text)


def main(argv: list[str]) -> int:
    action = argv[1] if len(argv) > 1 else "check"
    if action == "update":
        update()
        return 0
    if action == "compile":
        compile_catalogues()
        return 0
    if action != "check":
        print(__doc__, file=sys.stderr)
        return 2
    report, counts = check()
    out = io.StringIO()
    for path, count in counts.items():
        print(f"{_where(path)}: {count} texts", file=out)
    for problem in report.problems:
        print(problem, file=out)
    print(out.getvalue(), end="", file=sys.stderr if report.problems else sys.stdout)
    if report.problems:
        print(f"{len(report.problems)} problems in the catalogues.", file=sys.stderr)
        return 1
    print("The catalogues are complete and current.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
