from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from orders.demo import seed
from orders.models import Order

DEMO_USER = "demo"
DEMO_PASSWORD = "demo-orders"


class Command(BaseCommand):
    help = "Prepare a local demo: a staff login and sample orders (only what is missing)."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=60)

    def handle(self, *args, orders: int, **options):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=DEMO_USER, defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if not Order.objects.exists():
            seed(orders)
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "Demo ready:",
                    "  Back office  http://127.0.0.1:8000/admin/",
                    f"  Staff login  {DEMO_USER} / {DEMO_PASSWORD}"
                    + ("" if created else "  (password as first set)"),
                    "  API console  http://127.0.0.1:8000/System/docs",
                    f"  Orders       {Order.objects.count()}",
                    "",
                ]
            )
        )
