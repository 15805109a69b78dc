"""API keys: made by orders.api_keys.create_api_key, the plain key shown once, revocable."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ..api_keys import create_api_key
from ..models import ApiKey


class ApiKeyCreateForm(forms.ModelForm):
    read_only = forms.BooleanField(
        label=_("Read only"),
        required=False,
        help_text=_("The key may only read orders (GET), not change them."),
    )

    class Meta:
        model = ApiKey
        fields = ("name",)


@admin.action(description=_("Revoke the selected keys"), permissions=["change"])
def revoke(modeladmin, request, queryset):
    revoked = queryset.filter(active=True).update(active=False)
    messages.success(
        request,
        ngettext(
            "%(count)d key revoked. Requests with it are now refused.",
            "%(count)d keys revoked. Requests with them are now refused.",
            revoked,
        )
        % {"count": revoked},
    )


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "scope", "active", "created_at", "last_used_at")
    list_filter = ("active", "scope")
    search_fields = ("name", "prefix")
    actions = (revoke,)
    readonly_fields = ("prefix", "created_at", "last_used_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "read_only")
        return ("name", "prefix", "scope", "active", "created_at", "last_used_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        key, plain = create_api_key(
            name=form.cleaned_data["name"], read_only=form.cleaned_data["read_only"]
        )
        obj.pk, obj.prefix = key.pk, key.prefix
        # Kept on the request only: shown in this response, never stored anywhere.
        request._plain_api_key = plain

    def response_add(self, request, obj, post_url_continue=None):
        plain = getattr(request, "_plain_api_key", None)
        if plain is None:
            return super().response_add(request, obj, post_url_continue)
        # Rendered, not redirected: a redirect would carry the key through the
        # message storage (a cookie or the session).
        return TemplateResponse(
            request,
            "admin/orders/apikey/created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": gettext("API key created"),
                "key": obj,
                "plain_key": plain,
            },
        )
