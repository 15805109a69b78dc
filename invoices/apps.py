from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicesConfig(AppConfig):
    name = "invoices"
    verbose_name = _("Invoices")

    def ready(self):
        # Issue documents in the transaction of the change that calls for them.
        from . import triggers

        triggers.register()
