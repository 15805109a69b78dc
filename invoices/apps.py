from django.apps import AppConfig


class InvoicesConfig(AppConfig):
    name = "invoices"
    verbose_name = "Invoices"

    def ready(self):
        # Issue documents in the transaction of the change that calls for them.
        from . import triggers

        triggers.register()
