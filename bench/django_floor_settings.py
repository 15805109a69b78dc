"""Settings of the Django floor (bench/django_floor.py): the project's, another URLconf."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.django_floor"
