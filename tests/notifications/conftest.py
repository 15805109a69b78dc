import pytest

from .receiver import Receiver


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _delivery_settings(settings):
    # Predictable numbers for the backoff assertions; no broker: nothing is enqueued.
    settings.CELERY_BROKER_URL = ""
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    settings.DELIVERY_MAX_ATTEMPTS = 4
    settings.DELIVERY_BACKOFF_SECONDS = 10
    settings.DELIVERY_BACKOFF_MAX_SECONDS = 3600
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
