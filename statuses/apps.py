from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatusesConfig(AppConfig):
    """The shop's own order statuses (webhooks and notifications: the notifications app)."""

    name = "statuses"
    verbose_name = _("Order statuses")
