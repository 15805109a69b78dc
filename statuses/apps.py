from django.apps import AppConfig


class StatusesConfig(AppConfig):
    """The shop's own order statuses (webhooks and notifications: the notifications app)."""

    name = "statuses"
    verbose_name = "Order statuses"
