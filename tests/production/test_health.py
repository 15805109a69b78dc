import pytest
from django.db import OperationalError, connection


@pytest.mark.django_db
def test_health_answers_ok_without_authentication(client):
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_answers_head_and_refuses_writes(client):
    assert client.head("/health").status_code == 200
    assert client.post("/health").status_code == 405


def test_health_answers_503_when_the_database_does_not(client, monkeypatch):
    def database_down():
        raise OperationalError("connection refused")

    # The database driver fails; the view under test is real.
    monkeypatch.setattr(connection, "cursor", database_down)

    response = client.get("/health")

    assert response.status_code == 503
    assert response.json() == {"status": "error"}
