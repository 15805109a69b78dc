"""The Czech catalogues are complete, and the check CI runs (config/catalogues.py, make
check-messages) fails on what would leave a text untranslated."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from config import catalogues
from config.catalogues import BASE_DIR, Report

HEADER = r"""msgid ""
msgstr ""
"Language: cs\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;\n"

"""


def catalogue(tmp_path: Path, entries: str, header: str = HEADER) -> Path:
    path = tmp_path / "locale" / "cs" / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True)
    path.write_text(header + entries, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    report = Report()
    catalogues.check_complete(path, report)
    return report.problems


# --- the project's own catalogues ------------------------------------------------------------


def test_every_catalogue_is_complete_consistent_and_compiled():
    report, counts = catalogues.check(current=False)  # currency: make check-messages (CI)

    assert report.problems == []
    found = {str(path.relative_to(BASE_DIR)) for path in counts}
    assert {
        "locale/cs/LC_MESSAGES/django.po",
        "orders/locale/cs/LC_MESSAGES/django.po",
        "statuses/locale/cs/LC_MESSAGES/django.po",
        "notifications/locale/cs/LC_MESSAGES/django.po",
    } <= found
    assert all(count > 20 for count in counts.values())


# --- what the check refuses --------------------------------------------------------------------


def test_a_complete_catalogue_passes(tmp_path):
    path = catalogue(
        tmp_path,
        '#, python-format\nmsgid "Order %(id)s"\nmsgstr "Objednávka %(id)s"\n\n'
        '#, python-format\nmsgid "%(n)d order"\nmsgid_plural "%(n)d orders"\n'
        'msgstr[0] "%(n)d objednávka"\nmsgstr[1] "%(n)d objednávky"\n'
        'msgstr[2] "%(n)d objednávek"\n',
    )

    assert problems_of(path) == []


def test_an_empty_translation_fails(tmp_path):
    path = catalogue(tmp_path, 'msgid "Paid"\nmsgstr ""\n')

    assert problems_of(path) == [f"{path}: no Czech translation of 'Paid'"]


def test_a_fuzzy_translation_fails(tmp_path):
    path = catalogue(tmp_path, '#, fuzzy\nmsgid "Paid"\nmsgstr "Zaplaceno"\n')

    assert problems_of(path) == [f"{path}: fuzzy translation of 'Paid'"]


def test_a_missing_plural_form_fails(tmp_path):
    path = catalogue(
        tmp_path,
        'msgid "an order"\nmsgid_plural "orders"\n'
        'msgstr[0] "objednávka"\nmsgstr[1] "objednávky"\nmsgstr[2] ""\n',
    )

    assert problems_of(path) == [f"{path}: no Czech translation of 'an order'"]


def test_a_translation_that_drops_a_placeholder_fails(tmp_path):
    path = catalogue(tmp_path, '#, python-format\nmsgid "Order %(id)s"\nmsgstr "Objednávka"\n')

    assert problems_of(path) == [f"{path}: 'Order %(id)s': the translation must keep ['id']"]


def test_a_fuzzy_header_or_other_plural_forms_fail(tmp_path):
    header = HEADER.replace("nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;", (
        "nplurals=2; plural=(n != 1);"
    ))  # fmt: skip
    path = catalogue(tmp_path, 'msgid "Paid"\nmsgstr "Zaplaceno"\n', header="#, fuzzy\n" + header)

    problems = problems_of(path)

    assert any("the header is marked fuzzy" in p for p in problems)
    assert any("Plural-Forms should be" in p for p in problems)


def test_a_stale_compiled_catalogue_fails(tmp_path):
    path = catalogue(tmp_path, 'msgid "Paid"\nmsgstr "Zaplaceno"\n')
    with open(path, "rb") as file:
        compiled = read_po(file)
    compiled.get("Paid").string = "Placeno"  # the .mo of an older .po
    with open(path.with_suffix(".mo"), "wb") as file:
        write_mo(file, compiled)
    report = Report()

    catalogues.check_compiled(path, report)

    assert report.problems == [
        f"{path}: the compiled .mo differs from the .po (run `make messages`)"
    ]


def test_one_english_text_translated_two_ways_fails(tmp_path):
    first = catalogue(tmp_path / "a", 'msgid "Paid"\nmsgstr "Zaplaceno"\n')
    second = catalogue(tmp_path / "b", 'msgid "Paid"\nmsgstr "Placeno"\n')
    report = Report()

    catalogues.check_consistent([first, second], report)

    assert len(report.problems) == 1
    assert "'Paid' is 'Placeno' here but 'Zaplaceno'" in report.problems[0]


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (make gettext)")
def test_a_text_marked_in_the_sources_but_not_in_the_catalogue_fails(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(BASE_DIR, project, ignore=catalogues.NOT_COPIED)
    (project / "orders" / "brand_new.py").write_text(
        'from django.utils.translation import gettext as _\n\nTEXT = _("A brand new text")\n'
    )
    (project / "templates" / "home.html").unlink()  # its texts are marked nowhere else
    report = Report()

    catalogues.check_current(report, root=project)

    assert (
        "orders/locale/cs/LC_MESSAGES/django.po: not in the catalogue (run `make messages`): "
        "'A brand new text'"
    ) in report.problems
    gone = "locale/cs/LC_MESSAGES/django.po: no source marks it any more (run `make messages`): "
    assert f"{gone}'Order office'" in report.problems
    assert len(report.problems) == 1 + 7  # home.html's seven texts


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (make gettext)")
def test_the_check_command_exits_non_zero_on_a_problem(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(BASE_DIR, project, ignore=shutil.ignore_patterns(".git", ".venv", "*.sqlite3"))
    po = project / "statuses" / "locale" / "cs" / "LC_MESSAGES" / "django.po"
    po.write_text(po.read_text().replace('msgstr "Vzhled"', 'msgstr ""'))

    result = subprocess.run(
        [sys.executable, "-m", "config.catalogues", "check"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1
    assert "no Czech translation of 'Looks like'" in result.stderr
    assert "the compiled .mo differs from the .po" in result.stderr
