"""Query parameters of the reference lists and of GET /System/People/{id}/Orders, named as
the public client sends them (getAllPeople, getChannels, getShippings, getChannelsPayments,
getPeopleOrders).

An id that names nothing (`?channel=999`) is a 400 naming the parameter, as `channel_id` on
GET /System/Orders: a typo must not look like "no rows".
"""

import django_filters
from django.db.models import Exists, OuterRef

from orders.models import Channel, Order, Shipper

from .filters import BooleanFilter, ExistingIdFilter, OrderFilterSet
from .serializers import CHANNEL_ACTIVE, CHANNEL_TYPE, CHANNEL_TYPES


class PersonFilterSet(django_filters.FilterSet):
    """getAllPeople(channel_id): a customer belongs to no one channel (found by e-mail across
    all of them), so `channel_id` lists the customers with an order in that channel."""

    channel_id = ExistingIdFilter(model=Channel, method="filter_channel")

    def filter_channel(self, queryset, name, value):
        return queryset.filter(Exists(Order.objects.filter(customer=OuterRef("pk"), channel=value)))


class ChannelFilterSet(django_filters.FilterSet):
    """getChannels(active, type). Every channel here is active and of type "undefined"
    (see ChannelSerializer), so these select all channels or none, as the answers say."""

    active = BooleanFilter(method="filter_active")
    type = django_filters.ChoiceFilter(
        choices=[(kind, kind) for kind in CHANNEL_TYPES], method="filter_type"
    )

    def filter_active(self, queryset, name, value):
        return queryset if value == CHANNEL_ACTIVE else queryset.none()

    def filter_type(self, queryset, name, value):
        return queryset if value == CHANNEL_TYPE else queryset.none()


class PaymentFilterSet(django_filters.FilterSet):
    """getChannelsPayments(channel): the ways of paying of that channel."""

    channel = ExistingIdFilter(field_name="channel_id", model=Channel)


class ShippingFilterSet(django_filters.FilterSet):
    """getShippings(channel, shipper): the ways of shipping of that channel, that carrier."""

    channel = ExistingIdFilter(field_name="channel_id", model=Channel)
    shipper = ExistingIdFilter(field_name="shipper_id", model=Shipper)


def filters_of(filterset: type[django_filters.FilterSet], *names: str) -> type:
    """A FilterSet with only `names` of `filterset`'s filters (the same filters and methods,
    not copies), so the strict query check accepts exactly those."""
    subset = type(f"Selected{filterset.__name__}", (filterset,), {})
    subset.base_filters = {name: filterset.base_filters[name] for name in names}
    return subset


# getPeopleOrders(id, done, canceled, from, to): the Orders filters of those names.
PersonOrderFilterSet = filters_of(OrderFilterSet, "done", "canceled", "from", "to")
