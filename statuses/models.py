from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

hex_color = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #rrggbb."))


class LifecycleEvent(models.TextChoices):
    """The lifecycle events a status can follow, in the order an order meets them."""

    PAID = "paid", _("Order paid")
    SENT = "sent", _("Order sent")
    DELIVERED = "delivered", _("Order delivered")
    DONE = "done", _("Order done")
    CANCELED = "canceled", _("Order canceled")


# A status following an event must mean what the event means: the open-order events'
# statuses neither complete nor cancel, done's completes, canceled's cancels.
_OPEN_EVENTS = [LifecycleEvent.PAID, LifecycleEvent.SENT, LifecycleEvent.DELIVERED]
FOLLOWS_MATCHES_FLAGS = (
    Q(follows="")
    | Q(follows__in=_OPEN_EVENTS, complete_order=False, cancel_order=False)
    | Q(follows=LifecycleEvent.DONE, complete_order=True)
    | Q(follows=LifecycleEvent.CANCELED, cancel_order=True)
)


class OrderStatus(models.Model):
    """A status the shop defines for its orders (New, Paid, Shipped, ...).

    Statuses are the instance's own labels; two flags tie them to the lifecycle:
    assigning a `complete_order` status completes the order, a `cancel_order`
    status cancels it. `follows` ties them the other way: when the order meets that
    event (paid, sent, ...), the service gives it this status (at most one status per
    event; see orders/services/lifecycle.py for when it does not).
    """

    name = models.CharField(_("name"), max_length=100)
    icon = models.CharField(
        _("icon"),
        max_length=50,
        blank=True,
        help_text=_("An icon name or a single emoji shown beside the name."),
    )
    color = models.CharField(_("color"), max_length=7, default="#6c757d", validators=[hex_color])
    sort = models.IntegerField(_("sort"), default=0, help_text=_("Lower numbers come first."))
    complete_order = models.BooleanField(
        _("complete order"),
        default=False,
        help_text=_("Assigning this status marks the order done (only if the order may be done)."),
    )
    cancel_order = models.BooleanField(
        _("cancel order"),
        default=False,
        help_text=_("Assigning this status cancels the order (only if it may still be canceled)."),
    )
    follows = models.CharField(
        _("follows"),
        max_length=20,
        blank=True,
        choices=LifecycleEvent.choices,
        help_text=_(
            "The order gets this status automatically when this happens to it. "
            "A status following “done” must complete the order, one following “canceled” "
            "must cancel it, and one following paid, sent or delivered must do neither."
        ),
    )

    class Meta:
        ordering = ["sort", "id"]
        verbose_name = _("order status")
        verbose_name_plural = _("order statuses")
        constraints = [
            models.CheckConstraint(
                condition=~(Q(complete_order=True) & Q(cancel_order=True)),
                name="status_not_both_complete_and_cancel",
                violation_error_message=_("A status cannot both complete and cancel an order."),
            ),
            models.UniqueConstraint(
                fields=["follows"],
                condition=~Q(follows=""),
                name="status_follows_unique",
                violation_error_message=_("Another status already follows this event."),
            ),
            models.CheckConstraint(
                condition=FOLLOWS_MATCHES_FLAGS,
                name="status_follows_matches_flags",
                violation_error_message=_(
                    "A status following “done” must complete the order, "
                    "one following “canceled” must cancel it, and one following paid, sent or "
                    "delivered must do neither."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name
