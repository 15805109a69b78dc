"""Query parameters of GET /System/Orders: the Orders FilterSet (paging: pagination.py).

Every malformed value is refused (400 naming the parameter) instead of ignored: a client
that asks for `done=yes` must not silently get every order.
"""

import copy
import datetime as dt
import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django_filters.rest_framework import DjangoFilterBackend

from orders.counts import COUNTED_FILTERS
from orders.models import Channel, ClosingState, Tracking
from statuses.models import OrderStatus

MAX_ID = 2**63 - 1
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


class SharedField:
    """A form field that every form of its class shares: Form.__init__ deep-copies its
    fields (the widget, the validators, the messages) per form, and the listing makes two
    forms per request. These fields are never changed after they are made: cleaning a
    value reads them only."""

    def __deepcopy__(self, memo):
        return self


class StrictBooleanField(SharedField, forms.Field):
    """1/0/true/false (any case); anything else is an error, not "no filter"."""

    VALUES = {"1": True, "true": True, "0": False, "false": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return self.VALUES[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError("Use 1, 0, true or false.") from None


class WholeNumberField(SharedField, forms.IntegerField):
    """ASCII digits (and a sign) only: int() would also read '٣' and Django '5.0'."""

    def to_python(self, value):
        if value not in self.empty_values and not WHOLE_NUMBER.fullmatch(str(value).strip()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class IdField(WholeNumberField):
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


class DateOrDateTimeField(SharedField, forms.Field):
    """ISO 8601: a date-time with offset (2019-12-01T08:15:30+01:00) or a date (2019-12-01).

    A '+' sent unencoded arrives as a space; it is put back. `bound` turns the value into
    the moment the query compares with (in UTC); a value whose moment leaves the calendar
    (0001-01-01T00:00:00+14:00 is in year 0 in UTC) is out of range, not a crash.
    """

    def __init__(self, *, bound=None, **kwargs):
        self.bound = bound or lower_bound
        super().__init__(**kwargs)

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

    def validate(self, value):
        super().validate(value)
        if value is not None:
            self.bound(value)  # raises out_of_range


def out_of_range() -> forms.ValidationError:
    return forms.ValidationError(
        "Out of range: the moment must fall between 0001-01-01 and 9999-12-31 in UTC."
    )


def in_utc(moment: dt.datetime) -> dt.datetime:
    # In UTC, as stored: PostgreSQL refuses offsets beyond ±15:59, SQLite converts itself.
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:
        raise out_of_range() from None


def day_start(day: dt.date) -> dt.datetime:
    return in_utc(timezone.make_aware(dt.datetime.combine(day, dt.time.min)))


def lower_bound(value: dt.date | dt.datetime) -> dt.datetime:
    """The first moment `value` names: a date starts at midnight in TIME_ZONE."""
    return in_utc(value) if isinstance(value, dt.datetime) else day_start(value)


def upper_bound(value: dt.date | dt.datetime) -> tuple[str, dt.datetime]:
    """(lookup, moment): a date means "up to the end of that day", so "before the next"."""
    if isinstance(value, dt.datetime):
        return "lte", in_utc(value)
    try:
        next_day = value + dt.timedelta(days=1)
    except OverflowError:
        raise out_of_range() from None
    return "lt", day_start(next_day)


class TextField(SharedField, forms.CharField):
    pass


class BoundPerRequest:
    """A filter whose copy per FilterSet (FilterSet.__init__ deep-copies every filter per
    request, to set its `parent` and `model`) shares its settings with the class's filter:
    they are never changed after the class is made. Only the proxy that finds a `method`
    filter's method on its FilterSet is made anew: it finds it through the filter it was
    made for, and the copy's parent is this request's FilterSet."""

    def __deepcopy__(self, memo):
        bound = copy.copy(self)
        if bound.method is not None:
            bound.method = bound.method  # a new FilterMethod, of the copy
        return bound


class IdFilter(BoundPerRequest, django_filters.Filter):
    field_class = IdField


class ExistingIdFilter(BoundPerRequest, django_filters.Filter):
    field_class = ExistingIdField


class BooleanFilter(BoundPerRequest, django_filters.Filter):
    field_class = StrictBooleanField


class DateOrDateTimeFilter(BoundPerRequest, django_filters.Filter):
    field_class = DateOrDateTimeField


class TextFilter(BoundPerRequest, django_filters.CharFilter):
    field_class = TextField


class OrderFilterSet(django_filters.FilterSet):
    """Filters of GET /System/Orders. `from`/`to` (Python keywords) are added below."""

    channel_id = ExistingIdFilter(field_name="channel_id", model=Channel)
    company_id = IdFilter(field_name="company_id")
    customer_id = IdFilter(field_name="customer_id")
    status_id = ExistingIdFilter(field_name="status_id", model=OrderStatus)
    done = BooleanFilter(method="filter_closing", help_text="1/0/true/false")
    canceled = BooleanFilter(method="filter_closing", help_text="1/0/true/false")
    tracking = TextFilter(method="filter_tracking", max_length=100)
    updated_since = DateOrDateTimeFilter(method="filter_updated_since")

    _form_classes: dict = {}

    def get_form_class(self):
        """django-filter's form class, built once per FilterSet class: its fields are the
        filters' (the class's, the same for every request). Building it per request
        deep-copied every filter's field and made a new class: a fifth of a tracking
        filter's request in Python."""
        form = self._form_classes.get(type(self))
        if form is None:
            form = self._form_classes[type(self)] = super().get_form_class()
        return form

    def counted(self) -> dict | None:
        """The filters given, as orders.counts.order_total takes them, or None if one
        the order counters do not keep narrows the listing (call after is_valid)."""
        data = self.form.cleaned_data
        given = {name: value for name, value in data.items() if value not in (None, "")}
        return given if given.keys() <= COUNTED_FILTERS else None

    def filter_closing(self, queryset, name, value):
        state = ClosingState.DONE if name == "done" else ClosingState.CANCELED
        condition = Q(closing_state=state)
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_tracking(self, queryset, name, value):
        # `id IN (subquery)`: PostgreSQL plans it as it plans EXISTS (a semi-join from the
        # number's index), and the ORM builds it in half the time. Not a join: one order may
        # have the same number from two shippers, and would be listed twice.
        trackings = Tracking.objects.filter(tracking_number=value.strip())
        return queryset.filter(pk__in=trackings.values("order_id"))

    def filter_updated_since(self, queryset, name, value):
        return queryset.filter(updated_at__gte=lower_bound(value))

    def filter_from(self, queryset, name, value):
        return queryset.filter(date_order__gte=lower_bound(value))

    def filter_to(self, queryset, name, value):
        lookup, moment = upper_bound(value)
        return queryset.filter(**{f"date_order__{lookup}": moment})


OrderFilterSet.base_filters["from"] = DateOrDateTimeFilter(method="filter_from")
OrderFilterSet.base_filters["to"] = DateOrDateTimeFilter(method="filter_to", bound=upper_bound)


class KeptFilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend that leaves its filterset on the view (`view.filterset`), for the
    view to count the listing with (OrderViewSet.order_total)."""

    def get_filterset(self, request, queryset, view):
        view.filterset = super().get_filterset(request, queryset, view)
        return view.filterset
