from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from orders.api_keys import create_api_key
from orders.demo import seed
from orders.models import ApiKey, Order

DEMO_USER = "demo"
DEMO_KEY_NAME = "Demo key"
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
        # A key for the API console; its plain text exists only now, so it is shown once.
        api_key = ""
        if not ApiKey.objects.filter(name=DEMO_KEY_NAME).exists():
            _, api_key = create_api_key(name=DEMO_KEY_NAME)
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "Demo ready:",
                    "  Back office  http://127.0.0.1:8000/admin/",
                    f"  Staff login  {DEMO_USER} / {DEMO_PASSWORD}"
                    + ("" if created else "  (password as first set)"),
                    "  API console  http://127.0.0.1:8000/System/docs",
                    f"  API key      {api_key}"
                    if api_key
                    else f"  API key      '{DEMO_KEY_NAME}' was shown when first made "
                    "(make another: manage.py create_api_key NAME)",
                    f"  Orders       {Order.objects.count()}",
                    "",
                ]
            )
        )
