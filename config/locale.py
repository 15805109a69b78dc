"""Which language a request is answered in.

Pages for people (the back office, the customer's pages) follow Django's LocaleMiddleware:
the language cookie set by the back office's language selector (Django's set_language view
at /i18n/setlang/), else the browser's Accept-Language, else LANGUAGE_CODE. A customer's
order page then switches to its order's language (orders/pages.py).

The API under /System and /v1 always answers in English, whatever the request says:
integrators read and match its error messages (DRF's own messages are translated too,
so without this a `cs` browser in the API console would get Czech validation errors). Its
answers carry no Vary: Accept-Language or Content-Language either, as before.
"""

from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation

from orders.api.middleware import is_api_path

API_LANGUAGE = "en"


class LocaleMiddleware(DjangoLocaleMiddleware):
    def process_request(self, request):
        if is_api_path(request.path_info):
            translation.activate(API_LANGUAGE)
            request.LANGUAGE_CODE = API_LANGUAGE
            return
        super().process_request(request)

    def process_response(self, request, response):
        if is_api_path(request.path_info):
            return response
        return super().process_response(request, response)
