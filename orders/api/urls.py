"""The /System routes, relative to "System/" (mounted at /System/ and /v1/System/): DRF
viewsets on one router. No trailing slashes; ids are integers of at most 18 digits
(anything else falls through to the JSON 404 catch-all in config/urls.py)."""

from rest_framework.routers import Route, SimpleRouter

from . import views
from . import views_reference as ref
from .feed import OrderEventViewSet
from .views_returns import OrderReturnViewSet
from .views_shipments import OrderShipmentViewSet


class ApiRouter(SimpleRouter):
    """SimpleRouter without trailing slashes, whose collection routes also take PUT: the
    contract changes an order (PUT /Orders) and an item (PUT /Orders/{id}/item) with the
    id in the body, so the viewset's `collection_put` answers there."""

    def __init__(self):
        super().__init__(trailing_slash=False)
        list_route, *others = self.routes  # a class attribute: build a new list
        assert isinstance(list_route, Route)
        assert list_route.name == "{basename}-list"
        put = list_route._replace(mapping={**list_route.mapping, "put": "collection_put"})
        self.routes = [put, *others]


router = ApiRouter()
# Fixed paths under Orders first: Orders/{order_id} takes digits only, but keep it obvious.
router.register("Orders/Statuses", views.OrderStatusViewSet, basename="order-statuses")
router.register("Orders/Events", OrderEventViewSet, basename="order-events")
router.register("Orders", views.OrderViewSet, basename="order")
router.register(
    rf"Orders/(?P<order_id>{views.ID})/item", views.OrderItemViewSet, basename="order-item"
)
router.register(
    rf"Orders/(?P<order_id>{views.ID})/shipments", OrderShipmentViewSet, basename="order-shipment"
)
router.register(
    rf"Orders/(?P<order_id>{views.ID})/returns", OrderReturnViewSet, basename="order-return"
)
# Read-only objects an Order links to (api_link).
router.register("People", ref.PersonViewSet, basename="person")
router.register("Companies", ref.CompanyViewSet, basename="company")
router.register("Channels/Shippings", ref.ShippingViewSet, basename="shipping")
router.register("Channels/Payments", ref.PaymentViewSet, basename="payment")
router.register("Channels", ref.ChannelViewSet, basename="channel")
router.register("Lists/Shippers", ref.ShipperViewSet, basename="shipper")

urlpatterns = router.urls
