from django.apps import AppConfig


class StatusesConfig(AppConfig):
    name = "statuses"
    verbose_name = "Order statuses"

    def ready(self):
        # Webhook and e-mail delivery listen to committed order events.
        from . import (
            notifications_admin,  # noqa: F401
            receivers,  # noqa: F401
        )
