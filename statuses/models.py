from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

hex_color = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as #rrggbb.")


class OrderStatus(models.Model):
    """A status the shop defines for its orders (New, Paid, Shipped, ...).

    Statuses are the instance's own labels; two flags tie them to the lifecycle:
    assigning a `complete_order` status completes the order, a `cancel_order`
    status cancels it.
    """

    name = models.CharField(max_length=100)
    icon = models.CharField(
        max_length=50, blank=True, help_text="An icon name or a single emoji shown beside the name."
    )
    color = models.CharField(max_length=7, default="#6c757d", validators=[hex_color])
    sort = models.IntegerField(default=0, help_text="Lower numbers come first.")
    complete_order = models.BooleanField(
        default=False,
        help_text="Assigning this status marks the order done (only if the order may be done).",
    )
    cancel_order = models.BooleanField(
        default=False,
        help_text="Assigning this status cancels the order (only if it may still be canceled).",
    )

    class Meta:
        ordering = ["sort", "id"]
        verbose_name = "order status"
        verbose_name_plural = "order statuses"
        constraints = [
            models.CheckConstraint(
                condition=~(Q(complete_order=True) & Q(cancel_order=True)),
                name="status_not_both_complete_and_cancel",
                violation_error_message="A status cannot both complete and cancel an order.",
            ),
        ]

    def __str__(self) -> str:
        return self.name
