"""The project's settings with STATIC_ROOT in a temporary folder, so the production tests can
run collectstatic without writing into the work tree."""

import os

from config.settings import *  # noqa: F403

STATIC_ROOT = os.environ["TEST_STATIC_ROOT"]
