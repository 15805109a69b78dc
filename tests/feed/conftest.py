import pytest
from rest_framework.test import APIClient

from orders.api_keys import create_api_key


@pytest.fixture
def api(db):
    _, plain = create_api_key(name="Integrator")
    client = APIClient()
    client.credentials(HTTP_TOKEN=plain)
    return client
