"""Reference data: channels, customers, sellers, carriers, shipping and payment methods."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..models import Channel, Company, Customer, PaymentMethod, Shipper, ShippingMethod
from . import display
from .forms import PaymentMethodForm, ShippingMethodForm

SAMPLE_TRACKING_NUMBER = "TEST123456"


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ("name", "domain", "currency_code", "language", "company")
    list_select_related = ("company",)
    list_filter = ("currency_code", "language")
    search_fields = ("name", "domain")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "phone", "city", "state_code", "company_nr", "created_at")
    search_fields = ("name", "email", "phone", "company_nr")
    list_filter = ("state_code",)
    show_full_result_count = False


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "company_nr", "company_vat", "city", "email", "bank_account")
    search_fields = ("name", "company_nr", "company_vat")


@admin.register(Shipper)
class ShipperAdmin(admin.ModelAdmin):
    list_display = ("name", "tracking_url_template", "tracking_preview")
    search_fields = ("name",)
    readonly_fields = ("tracking_preview",)
    fields = ("name", "tracking_url_template", "tracking_preview")

    @admin.display(description=_("Preview"))
    def tracking_preview(self, shipper):
        url = shipper.tracking_url(SAMPLE_TRACKING_NUMBER) if shipper.pk else None
        if not url:
            return display.EMPTY
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', url, f"{SAMPLE_TRACKING_NUMBER} ↗"
        )


class ChargeMethodAdmin(admin.ModelAdmin):
    list_display = ("name", "channel", "price_display", "vat_display", "free_from_display")
    list_select_related = ("channel",)
    list_filter = ("channel",)
    search_fields = ("name", "channel__name")

    @admin.display(description=_("Price (with VAT)"), ordering="price")
    def price_display(self, method):
        return display.money(method.price, method.currency_code)

    @admin.display(description=_("VAT"), ordering="vat")
    def vat_display(self, method):
        return display.percent(method.vat)

    @admin.display(description=_("Free from"), ordering="free_from")
    def free_from_display(self, method):
        return display.money(method.free_from, method.currency_code)


@admin.register(ShippingMethod)
class ShippingMethodAdmin(ChargeMethodAdmin):
    form = ShippingMethodForm
    list_display = (*ChargeMethodAdmin.list_display, "shipper")
    list_select_related = ("channel", "shipper")


@admin.register(PaymentMethod)
class PaymentMethodAdmin(ChargeMethodAdmin):
    form = PaymentMethodForm
