from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Webhooks, status notifications, the outbox's delivery and its log."""

    name = "notifications"
    verbose_name = "Notifications and webhooks"

    def ready(self):
        # Webhook and e-mail delivery listen to committed order events.
        from . import receivers  # noqa: F401
