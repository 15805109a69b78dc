from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from config.env import server_address
from orders.api_keys import create_api_key
from orders.demo import seed
from orders.models import ApiKey, Order

DEMO_USER = "demo"
DEMO_KEY_NAME = "Demo key"
DEMO_PASSWORD = "demo-orders"


def browser_base(host: str, port: int) -> str:
    """The address to open for a server listening on host:port (all interfaces: this machine)."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class Command(BaseCommand):
    help = (
        "Prepare a local demo: a staff login, an API key and sample orders (only what is "
        "missing). Prints the addresses `make run` serves on (HOST and PORT, as config/env.py "
        "reads them)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--orders",
            type=int,
            default=150,
            help="Sample orders placed over the last 90 days (default 150).",
        )
        parser.add_argument(
            "--new-key",
            action="store_true",
            help="Make a new demo API key and print it, switching off the earlier demo keys "
            "(their plain text was shown once and cannot be shown again).",
        )

    def handle(self, *args, orders: int, new_key: bool, **options):
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
        earlier_keys = ApiKey.objects.filter(name=DEMO_KEY_NAME, active=True)
        if new_key:
            earlier_keys.update(active=False)
        if new_key or not ApiKey.objects.filter(name=DEMO_KEY_NAME).exists():
            _key, api_key = create_api_key(name=DEMO_KEY_NAME)
        base = browser_base(*server_address())
        rows = [
            (_("Back office"), f"{base}/admin/"),
            (
                _("Staff login"),
                f"{DEMO_USER} / {DEMO_PASSWORD}"
                + ("" if created else "  " + _("(password as first set)")),
            ),
            (_("API console"), f"{base}/System/docs"),
            (
                _("API key"),
                api_key
                or _(
                    "'%(name)s' was shown when first made "
                    '(a new one: make manage ARGS="setup_demo --new-key")'
                )
                % {"name": DEMO_KEY_NAME},
            ),
            (_("Orders"), str(Order.objects.count())),
        ]
        width = max(len(label) for label, _value in rows) + 2
        self.stdout.write(
            "\n".join(
                ["", _("Demo ready:"), *(f"  {label:{width}}{value}" for label, value in rows), ""]
            )
        )
