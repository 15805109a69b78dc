"""Query parameters of GET /System/Orders: the Orders FilterSet (paging: pagination.py).

Every malformed value is refused (400 naming the parameter) instead of ignored: a client
that asks for `done=yes` must not silently get every order.
"""

import datetime as dt

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from orders.models import Channel, ClosingState, Tracking
from statuses.models import OrderStatus

MAX_ID = 2**63 - 1


class StrictBooleanField(forms.Field):
    """1/0/true/false (any case); anything else is an error, not "no filter"."""

    VALUES = {"1": True, "true": True, "0": False, "false": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return self.VALUES[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError("Use 1, 0, true or false.") from None


class IdField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class ExistingIdField(IdField):
    """An id that must name an existing row of `model` (an unknown channel is a typo)."""

    def __init__(self, *, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value is not None and not self.model.objects.filter(pk=value).exists():
            raise forms.ValidationError(f"Unknown {self.model._meta.verbose_name} {value}.")


class DateOrDateTimeField(forms.Field):
    """ISO 8601: a date-time with offset (2019-12-01T08:15:30+01:00) or a date (2019-12-01).

    A '+' sent unencoded arrives as a space; it is put back.
    """

    def to_python(self, value):
        if value in (None, ""):
            return None
        value = str(value).strip()
        if "T" in value and " " in value:
            value = value.replace(" ", "+")
        try:
            # A bare date first: parse_datetime would read it as midnight.
            parsed = parse_date(value) if len(value) == 10 else parse_datetime(value)
        except ValueError:
            parsed = None
        if parsed is None:
            raise forms.ValidationError(
                "Enter an ISO 8601 date-time such as 2019-12-01T08:15:30+01:00, or a date."
            )
        if isinstance(parsed, dt.datetime) and timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        return parsed


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class IdFilter(django_filters.Filter):
    field_class = IdField


class ExistingIdFilter(django_filters.Filter):
    field_class = ExistingIdField


class BooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


class DateOrDateTimeFilter(django_filters.Filter):
    field_class = DateOrDateTimeField


class OrderFilterSet(django_filters.FilterSet):
    """Filters of GET /System/Orders. `from`/`to` (Python keywords) are added below."""

    channel_id = ExistingIdFilter(field_name="channel_id", model=Channel)
    company_id = IdFilter(field_name="company_id")
    customer_id = IdFilter(field_name="customer_id")
    status_id = ExistingIdFilter(field_name="status_id", model=OrderStatus)
    done = BooleanFilter(method="filter_closing", help_text="1/0/true/false")
    canceled = BooleanFilter(method="filter_closing", help_text="1/0/true/false")
    tracking = django_filters.CharFilter(method="filter_tracking", max_length=100)
    updated_since = DateOrDateTimeFilter(method="filter_updated_since")

    def filter_closing(self, queryset, name, value):
        state = ClosingState.DONE if name == "done" else ClosingState.CANCELED
        condition = Q(closing_state=state)
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_tracking(self, queryset, name, value):
        trackings = Tracking.objects.filter(order=OuterRef("pk"), tracking_number=value.strip())
        return queryset.filter(Exists(trackings))

    def filter_updated_since(self, queryset, name, value):
        if not isinstance(value, dt.datetime):
            value = day_start(value)
        return queryset.filter(updated_at__gte=value)

    def filter_from(self, queryset, name, value):
        if not isinstance(value, dt.datetime):
            value = day_start(value)
        return queryset.filter(date_order__gte=value)

    def filter_to(self, queryset, name, value):
        # A date means "up to the end of that day".
        if not isinstance(value, dt.datetime):
            return queryset.filter(date_order__lt=day_start(value + dt.timedelta(days=1)))
        return queryset.filter(date_order__lte=value)


OrderFilterSet.base_filters["from"] = DateOrDateTimeFilter(method="filter_from")
OrderFilterSet.base_filters["to"] = DateOrDateTimeFilter(method="filter_to")
