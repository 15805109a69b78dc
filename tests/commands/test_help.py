"""Every command of the project explains itself in whole sentences (`manage.py X --help`)."""

import pytest
from django.core.management import get_commands, load_command_class

PROJECT_APPS = ("orders", "statuses", "notifications")


def project_commands() -> list[tuple[str, str]]:
    return sorted((name, app) for name, app in get_commands().items() if app in PROJECT_APPS)


def test_the_project_has_its_commands():
    names = {name for name, _ in project_commands()}
    assert {"seed_demo_data", "setup_demo", "import_orders", "export_orders"} <= names


@pytest.mark.parametrize(("name", "app"), project_commands())
def test_help_is_whole_sentences(name, app):
    command = load_command_class(app, name)
    text = command.create_parser("manage.py", name).format_help()

    assert command.help.strip(), f"{name} has no help"
    assert command.help.rstrip().endswith("."), f"{name}: {command.help!r} stops mid-sentence"
    assert " ".join(command.help.split()[-3:]) in " ".join(text.split())


def test_seed_demo_data_help_is_not_cut_off():
    help_text = load_command_class("orders", "seed_demo_data").help
    assert help_text.endswith("Safe to run again: it adds more orders.")
