"""The base of every /System viewset: strict query strings, `expanded`, and writes.

A sync job that misspells a filter (`?stauts_id=3`) must not get every order and act on
all of them, so a GET refuses any query parameter its action does not read, a parameter
given twice, and one given empty: a 400 naming it and listing what is accepted.
"""

from django import forms
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from orders.models import Order

from . import schema as docs
from .authentication import actor_for
from .filters import StrictBooleanField
from .idempotency import etag, run_write

# An id that fits a database column; anything else is a 404 (every URL argument here).
ID = r"[0-9]{1,18}"


def order_not_found(order_id) -> NotFound:
    return NotFound(f"Order {order_id} does not exist.")


def write_schema(request, answer, operation_id: str, summary: str, **kwargs):
    """The schema of a write on one order: Idempotency-Key, If-Match and its errors."""
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        request=request,
        parameters=[docs.IDEMPOTENCY_KEY, docs.IF_MATCH],
        responses=docs.responses(answer, *docs.ORDER_WRITE_ERRORS),
        **kwargs,
    )


EXPANDED = StrictBooleanField(required=False)


def parse_expanded(params) -> bool:
    try:
        return bool(EXPANDED.clean(params.get("expanded")))
    except forms.ValidationError as error:
        raise ValidationError({"expanded": error.messages}) from None


class ApiViewSet(viewsets.GenericViewSet):
    # Accepts ?expanded=1 (related objects with their own fields). Actions may override.
    expandable = False
    # Query parameters read by the view itself (beyond filters, paging and `expanded`).
    extra_query_params: tuple[str, ...] = ()

    def accepted_query_params(self) -> set[str]:
        names = set(self.extra_query_params)
        if self.expandable:
            names.add("expanded")
        if self.action != "retrieve":
            if self.paginator is not None:
                names.update(self.paginator.query_params)
            if self.filterset_class is not None:
                names.update(self.filterset_class.base_filters)
        return names

    def check_query_params(self, request) -> None:
        """Refuse (400) unknown, repeated or empty parameters and malformed paging or
        `expanded`, naming every bad parameter at once."""
        params, accepted = request.query_params, self.accepted_query_params()
        errors = {}
        for name in params:
            values = params.getlist(name)
            if name not in accepted:
                listed = ", ".join(sorted(accepted)) or "none"
                errors[name] = [f"Unknown parameter. Accepted here: {listed}."]
            elif len(values) > 1:
                errors[name] = ["Give this parameter once."]
            elif values[0].strip() == "":
                errors[name] = ["Give a value, or leave the parameter out."]
        listing = self.action != "retrieve"
        for check in (
            self.paginator.parsed if listing and self.paginator is not None else None,
            parse_expanded if self.expandable else None,
        ):
            if check is not None:
                try:
                    check(params)
                except ValidationError as error:
                    errors = {**error.detail, **errors}
        if errors and listing and self.filterset_class is not None:
            # Name the bad filters too (on the happy path the filter backend checks them).
            filterset = self.filterset_class(params, queryset=self.get_queryset())
            if not filterset.is_valid():
                bad = {f: [str(m) for m in ms] for f, ms in filterset.errors.items()}
                errors = {**bad, **errors}
        if errors:
            raise ValidationError(errors)

    def dispatch(self, request, *args, **kwargs):
        # Every URL argument of this API is an id matched by digits only (ID above).
        return super().dispatch(request, *args, **{k: int(v) for k, v in kwargs.items()})

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttles
        if request.method in ("GET", "HEAD"):
            self.check_query_params(request)

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        if self.expandable:
            context["expanded"] = parse_expanded(self.request.query_params)
        return context

    def validated(self, serializer_class):
        """The request body checked by `serializer_class` (400 naming each bad field)."""
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer

    def write(self, work, *, order_id: int | None = None) -> Response:
        """Run `work()` in one transaction with Idempotency-Key and If-Match handling."""
        return run_write(self.request, work, order_id=order_id)

    def id_write(self, order_id: int, run) -> Response:
        """Run `run(actor)` (a service returning the id it wrote) on the order; answer the
        IdModel with the order's new version as ETag."""

        def work():
            pk = run(actor_for(self.request))
            version = Order.objects.filter(pk=order_id).values_list("version", flat=True).first()
            return Response({"id": pk}, headers={} if version is None else {"ETag": etag(version)})

        return self.write(work, order_id=order_id)
