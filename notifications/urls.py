"""Old back-office links of the moved models (/admin/statuses/delivery/...) still lead there.

Bookmarks, e-mails and docs from before the move point at /admin/statuses/<model>/...;
they get a permanent redirect to the same page under /admin/notifications/, query kept.
"""

from django.http import HttpResponsePermanentRedirect
from django.urls import re_path, reverse

# The moved models that have back-office pages.
MOVED_ADMIN_MODELS = ("webhooksubscription", "statusnotification", "delivery", "emittedevent")


def moved_admin_page(request, model: str, rest: str):
    target = reverse("admin:app_list", kwargs={"app_label": "notifications"}) + f"{model}/{rest}"
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)


urlpatterns = [
    re_path(
        rf"^admin/statuses/(?P<model>{'|'.join(MOVED_ADMIN_MODELS)})/(?P<rest>.*)$",
        moved_admin_page,
        name="moved-admin-page",
    ),
]
