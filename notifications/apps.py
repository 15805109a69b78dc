from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Webhooks, status notifications, the outbox's delivery and its log."""

    name = "notifications"
    verbose_name = _("Notifications and webhooks")

    def ready(self):
        # Webhook and e-mail delivery listen to committed order events.
        from . import receivers  # noqa: F401
