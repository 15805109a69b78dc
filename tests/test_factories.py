"""Every model of the project has a factory that makes a valid row."""

import inspect

import factory
import pytest
from django.apps import apps

from tests import factories

FACTORIES = {
    f._meta.get_model_class(): f
    for _, f in inspect.getmembers(factories, inspect.isclass)
    if issubclass(f, factory.django.DjangoModelFactory) and f._meta.model is not None
}
PROJECT_MODELS = [
    model
    for app in ("orders", "statuses", "notifications")
    for model in apps.get_app_config(app).get_models()
    if not model._meta.proxy
]


def test_every_model_has_a_factory():
    missing = [m.__name__ for m in PROJECT_MODELS if m not in FACTORIES]
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda m: m.__name__)
def test_factory_saves_a_valid_row(model):
    row = FACTORIES[model]()
    assert model.objects.filter(pk=row.pk).exists()
