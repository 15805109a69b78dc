"""The back office's admin site: Django's, with the dashboard as its home page.

Installed as the default site (INSTALLED_APPS names BackOfficeAdminConfig instead of
"django.contrib.admin"), so `admin.site` and every `@admin.register` stay as they are.
This module is imported while the app registry loads: it must not import models.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class BackOfficeSite(admin.AdminSite):
    index_title = _("Dashboard")

    def index(self, request, extra_context=None):
        from orders.admin.dashboard import dashboard_context

        return super().index(request, {**dashboard_context(request), **(extra_context or {})})


class BackOfficeAdminConfig(AdminConfig):
    default_site = "orders.admin_site.BackOfficeSite"
