"""The floor: the same answers as our API for the benchmarked reads, as plainly as Python
can give them. A WSGI app without Django (psycopg 3, orjson, hand-written SQL):

    GET /System/Orders/{id}
    GET /System/Orders?page=&per_page=&status_id=&done=&canceled=&tracking=&from=&to=

Per request: one API-key check (the hash of orders/api_keys.py); for a listing the same
exact COUNT as ours, the page's ids, then those orders with their items and trackings
aggregated in SQL (json_agg), their discount and channel joined; orjson writes the answer, with
our rules (a country or currency code that is not 2 or 3 letters is null, as iso_code()
in orders/api/serializers.py says). One connection per worker process.
Serve it with `gunicorn bench.floor:application`; it reads DATABASE_URL, PUBLIC_BASE_URL,
LANGUAGE_CODE and TIME_ZONE like the app (the *_word amounts are in the order's language:
its own, else its channel's, else LANGUAGE_CODE, as orders/language.py says). It is a
yardstick, not a second API: it answers only these requests, and bench.run checks its
answers equal ours before timing anything.
"""

import datetime as dt
import hashlib
import hmac
import math
import os
import re
from decimal import Decimal
from functools import lru_cache
from urllib.parse import parse_qs, quote
from zoneinfo import ZoneInfo

import orjson
import psycopg
from babel.numbers import format_currency, get_currency_precision, list_currencies

PER_PAGE_DEFAULT, PER_PAGE_MIN, PER_PAGE_MAX = 10, 10, 250
DETAIL = re.compile(r"^/System/Orders/([0-9]{1,18})$")
BOOLEANS = {"1": True, "true": True, "0": False, "false": False}

# The order's minor unit for round(): ISO 4217 says 2 for most currencies, so only the
# others are spelled out (JPY 0, KWD 3, ...), from Babel like orders/money.py.
_OTHER_PRECISIONS = " ".join(
    f"WHEN '{code}' THEN {get_currency_precision(code)}"
    for code in sorted(list_currencies())
    if re.fullmatch(r"[A-Z]{3}", code) and get_currency_precision(code) != 2
)
DIGITS = f"(CASE o.order_currency_code {_OTHER_PRECISIONS} ELSE 2 END)"


def _price(column: str) -> str:
    return f"round(i.{column}, {DIGITS})"


ITEM = (
    "json_build_array(i.id, i.article_id, i.code, i.name, i.count, i.ordered, "
    "CASE WHEN i.kind = 'product' THEN i.count - i.shipped_count ELSE 0 END, "
    f"i.note, i.vat, {_price('unit_price_base')}, {_price('unit_price_final')}, "
    f"{_price('unit_price_final')} - {_price('unit_price_base')}, "
    f"{_price('original_price_base')}, {_price('original_price_final')}, "
    f"{_price('original_price_final')} - {_price('original_price_base')}, i.kind)"
)

ORDERS = f"""
SELECT o.id, o.customer_id, o.company_id, o.channel_id, o.date_order, o.date_maturity,
       o.email, o.phone, o.name, o.street, o.city, o.zip, o.state_code, o.company_nr,
       o.company_vat, o.delivery_email, o.delivery_phone, o.delivery_name, o.delivery_street,
       o.delivery_city, o.delivery_zip, o.delivery_state_code, o.note, o.our_note, o.hash,
       o.main_currency_code, o.order_currency_code, o.currency_rate::float8, o.money::float8,
       o.paid::float8, o.date_paid,
       (SELECT json_agg({ITEM} ORDER BY i.id) FROM orders_orderitem i
         WHERE i.order_id = o.id)::text,
       o.weight::float8, o.shipping_id, o.payment_id,
       (SELECT json_agg(json_build_array(t.shipper_id, t.tracking_number,
                                         s.tracking_url_template) ORDER BY t.id)
          FROM orders_tracking t JOIN orders_shipper s ON s.id = t.shipper_id
         WHERE t.order_id = o.id)::text,
       o.shipping_state, o.closing_state, host(o.ip), o.external_order_prefix,
       o.external_order_id, o.external_payment_id, o.external_payment_url,
       s.id, s.name, s.icon, s.color, s.sort, s.complete_order, s.cancel_order,
       o.refunded::float8, o.payment_state, d.type, d.value::float8, d.reason,
       COALESCE(NULLIF(o.language, ''), c.language)
  FROM orders_order o
  LEFT JOIN statuses_orderstatus s ON s.id = o.status_id
  LEFT JOIN orders_orderdiscount d ON d.order_id = o.id
  LEFT JOIN orders_channel c ON c.id = o.channel_id
"""
ONE_ORDER = ORDERS + " WHERE o.id = %s"
SOME_ORDERS = ORDERS + " WHERE o.id = ANY(%s)"
API_KEY = "SELECT hashed_key FROM orders_apikey WHERE prefix = %s AND active"


class BadRequest(Exception):
    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.errors = {field: [reason]}


class MoneyWords:
    """format_money() of orders/money.py, fast: the locale's pattern for a currency is
    learnt once from Babel and checked against it; if Babel's output cannot be rebuilt
    from Python's own formatting (an unusual grouping), Babel itself answers, cached."""

    PROBES = ["0", "0.5", "7", "12.1", "999.99", "1000", "12345.67", "1234567.891", "100000"]
    PROBES += ["-" + probe for probe in PROBES[1:]]  # discount lines are negative

    def __init__(self, locale: str):
        self.locale = locale
        self.formatters = {}

    def __call__(self, amount: float, currency: str) -> str:
        formatter = self.formatters.get(currency)
        if formatter is None:
            formatter = self.formatters[currency] = self._formatter(currency)
        return formatter(amount)

    def _babel(self, amount, currency: str) -> str:
        return format_currency(Decimal(repr(amount)), currency, locale=self.locale)

    def _affixes(self, amount: str, currency: str) -> tuple[str, str, str]:
        """(prefix, number, suffix) of Babel's `amount` in `currency`."""
        sample = format_currency(Decimal(amount), currency, locale=self.locale)
        first = next(i for i, c in enumerate(sample) if c.isdigit())
        last = max(i for i, c in enumerate(sample) if c.isdigit())
        return sample[:first], sample[first : last + 1], sample[last + 1 :]

    def _formatter(self, currency: str):
        digits = get_currency_precision(currency)
        prefix, number, suffix = self._affixes("1234567.891", currency)
        negative_prefix, _, negative_suffix = self._affixes("-1234567.891", currency)
        group = number[1] if not number[1].isdigit() else ""
        decimal = number[-digits - 1] if digits else ""
        table = str.maketrans({",": group, ".": decimal})
        spec = f",.{digits}f"

        def fast(amount: float) -> str:
            if amount < 0:
                return negative_prefix + format(-amount, spec).translate(table) + negative_suffix
            return prefix + format(amount, spec).translate(table) + suffix

        if all(fast(float(p)) == self._babel(float(p), currency) for p in self.PROBES):
            return fast
        return lru_cache(maxsize=4096)(lambda amount: self._babel(amount, currency))


class Floor:
    """The WSGI app. `connect` makes the worker's connection (called on first use)."""

    def __init__(self, connect, *, base_url: str, language: str, time_zone: str):
        self.connect = connect
        self.connection = None
        self.base = base_url
        self.language = language  # an order without its own language and channel
        self.words = {}  # language -> its MoneyWords
        self.zone = dt.UTC if time_zone == "UTC" else ZoneInfo(time_zone)

    # --- WSGI ---------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        try:
            status, body = self.answer(environ)
        except BadRequest as error:
            status, body = "400 Bad Request", self.error("Invalid input.", str(error))
            body["errors"] = error.errors
        payload = orjson.dumps(body, option=orjson.OPT_UTC_Z)
        start_response(
            status,
            [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
        )
        return [payload]

    def answer(self, environ) -> tuple[str, dict]:
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            return "405 Method Not Allowed", self.error("Method not allowed.", None)
        if self.connection is None or self.connection.closed:
            self.connection = self.connect()
        if not self.authenticated(environ):
            return "401 Unauthorized", self.error("Not authenticated.", None)
        return self.route(environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))

    def route(self, path: str, query_string: str) -> tuple[str, dict]:
        """The answer to an authenticated GET (bench/django_floor.py calls it too)."""
        if path == "/System/Orders":
            return "200 OK", self.orders(parse_qs(query_string))
        match = DETAIL.match(path)
        if match:
            order = self.order(int(match.group(1)))
            if order is None:
                return "404 Not Found", self.error(f"Order {match.group(1)} does not exist.")
            return "200 OK", order
        return "404 Not Found", self.error(f"No such endpoint: {path}")

    @staticmethod
    def error(message: str, detail: str | None = None) -> dict:
        return {"message": message, "detail": detail}

    def authenticated(self, environ) -> bool:
        plain = environ.get("HTTP_TOKEN")
        if plain is None:
            scheme, _, value = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
            plain = value if scheme.lower() == "bearer" else ""
        plain = plain.strip()
        prefix, _, _ = plain.partition(".")
        if len(prefix) != 8:
            return False
        row = self.connection.execute(API_KEY, [prefix]).fetchone()
        digest = hashlib.sha256(plain.encode()).hexdigest()
        return row is not None and hmac.compare_digest(row[0], digest)

    # --- reads ------------------------------------------------------------------------

    def order(self, order_id: int) -> dict | None:
        row = self.connection.execute(ONE_ORDER, [order_id]).fetchone()
        return None if row is None else self.order_dict(row)

    def orders(self, query: dict) -> dict:
        page = _int(query, "page", 1, 1, 2**31) or 1
        per_page = _int(query, "per_page", PER_PAGE_DEFAULT, PER_PAGE_MIN, PER_PAGE_MAX)
        where, params = self.filters(query)
        condition = " WHERE " + " AND ".join(where) if where else ""
        total = self.connection.execute(
            f"SELECT count(*) FROM orders_order o{condition}", params
        ).fetchone()[0]
        orders = []
        start = (page - 1) * per_page
        if start < total:
            ids = [
                row[0]
                for row in self.connection.execute(
                    f"SELECT o.id FROM orders_order o{condition} "
                    "ORDER BY o.date_order DESC, o.id DESC LIMIT %s OFFSET %s",
                    [*params, per_page, start],
                )
            ]
            rows = {row[0]: row for row in self.connection.execute(SOME_ORDERS, [ids])}
            orders = [self.order_dict(rows[pk]) for pk in ids]
        paginator = {
            "page": page,
            "per_page": per_page,
            "pages": math.ceil(total / per_page),
            "total": total,
        }
        return {"paginator": paginator, "orders": orders}

    def filters(self, query: dict) -> tuple[list[str], list]:
        """The SQL of the benchmarked filters, as orders/api/filters.py means them."""
        where, params = [], []
        status_id = _int(query, "status_id", None, 1, 2**63 - 1)
        if status_id is not None:
            where.append("o.status_id = %s")
            params.append(status_id)
        for name, state in (("done", "done"), ("canceled", "canceled")):
            value = _last(query, name)
            if value:
                if value.strip().lower() not in BOOLEANS:
                    raise BadRequest(name, "Use 1, 0, true or false.")
                where.append(
                    "o.closing_state = %s"
                    if BOOLEANS[value.strip().lower()]
                    else "o.closing_state <> %s"
                )
                params.append(state)
        tracking = (_last(query, "tracking") or "").strip()
        if tracking:
            where.append(
                "EXISTS (SELECT 1 FROM orders_tracking t "
                "WHERE t.order_id = o.id AND t.tracking_number = %s)"
            )
            params.append(tracking)
        since = self.moment(query, "from")
        if since is not None:
            where.append("o.date_order >= %s")
            params.append(since if isinstance(since, dt.datetime) else self.day_start(since))
        until = self.moment(query, "to")
        if until is not None:
            if isinstance(until, dt.datetime):
                where.append("o.date_order <= %s")
                params.append(until)
            else:  # a date means up to the end of that day
                where.append("o.date_order < %s")
                params.append(self.day_start(until + dt.timedelta(days=1)))
        return where, params

    def moment(self, query: dict, name: str):
        value = (_last(query, name) or "").strip()
        if not value:
            return None
        if "T" in value and " " in value:
            value = value.replace(" ", "+")
        try:
            if len(value) == 10:
                return dt.date.fromisoformat(value)
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            raise BadRequest(name, "Enter an ISO 8601 date-time or a date.") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=self.zone)

    def day_start(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=self.zone)

    # --- the Order object ---------------------------------------------------------------

    def link(self, path: str, pk: int | None) -> dict | None:
        return None if pk is None else {"id": pk, "api_link": f"{self.base}{path}{pk}"}

    def money_words(self, language: str | None) -> MoneyWords:
        language = language or self.language
        words = self.words.get(language)
        if words is None:
            words = self.words[language] = MoneyWords(babel_locale(language))
        return words

    def price(self, base, final, vat, vat_value, currency: str, words: MoneyWords) -> dict:
        return {
            "base_price": base,
            "base_price_word": words(base, currency),
            "final_price": final,
            "final_price_word": words(final, currency),
            "vat": vat,
            "vat_value": vat_value,
            "vat_value_word": words(vat_value, currency),
            "currency": currency,
        }

    def order_dict(self, row) -> dict:
        (
            pk, customer, company, channel, date_order, date_maturity,
            email, phone, name, street, city, zip_code, state_code, company_nr,
            company_vat, delivery_email, delivery_phone, delivery_name, delivery_street,
            delivery_city, delivery_zip, delivery_state_code, note, our_note, order_hash,
            main_currency, currency, currency_rate, money,
            paid, date_paid,
            items_json,
            weight, shipping, payment,
            trackings_json,
            shipping_state, closing_state, ip, external_order_prefix,
            external_order_id, external_payment_id, external_payment_url,
            status_id, status_name, status_icon, status_color, status_sort, complete, cancel,
            refunded, payment_state, discount_type, discount_value, discount_reason,
            language,
        ) = row  # fmt: skip
        words = self.money_words(language)
        items = []
        for (
            item_id, article, code, item_name, count, ordered, waiting, item_note, vat,
            base, final, vat_value, original_base, original_final, original_vat_value, kind,
        ) in orjson.loads(items_json) if items_json else ():  # fmt: skip
            items.append(
                {
                    "id": item_id,
                    "article": article,
                    "code": code,
                    "name": item_name,
                    "count": count,
                    "ordered": ordered,
                    "waiting_count": waiting,
                    "note": item_note,
                    "price": self.price(base, final, vat, vat_value, currency, words),
                    "price_original": None
                    if original_final is None
                    else self.price(
                        original_base, original_final, vat, original_vat_value, currency, words
                    ),
                    "kind": kind,
                }
            )
        trackings = [
            {
                "shipper_id": shipper_id,
                "tracking_number": number,
                "tracking_url": template.replace("{number}", quote(number, safe=""))
                if template
                else None,
            }
            for shipper_id, number, template in (
                orjson.loads(trackings_json) if trackings_json else ()
            )
        ]
        order_url = f"{self.base}/order/{order_hash}"
        return {
            "id": pk,
            "customer": self.link("/System/People/", customer),
            "company": self.link("/System/Companies/", company),
            "channel": self.link("/System/Channels/", channel),
            "date_order": date_order.astimezone(self.zone),
            "date_maturity": date_maturity,
            "email": email,
            "phone": phone,
            "name": name,
            "street": street,
            "city": city,
            "zip": zip_code,
            "state_code": iso_code(state_code, 2),
            "company_nr": company_nr,
            "company_vat": company_vat,
            "delivery_email": delivery_email,
            "delivery_phone": delivery_phone,
            "delivery_name": delivery_name,
            "delivery_street": delivery_street,
            "delivery_city": delivery_city,
            "delivery_zip": delivery_zip,
            "delivery_state_code": iso_code(delivery_state_code, 2),
            "note": note,
            "our_note": our_note,
            "hash": order_hash,
            "main_currency_code": iso_code(main_currency, 3),
            "order_currency_code": iso_code(currency, 3),
            "currency_rate": currency_rate,
            "money": money,
            "paid": paid,
            "date_paid": date_paid and date_paid.astimezone(self.zone),
            "items": items,
            "weight": weight,
            "shipping": self.link("/System/Channels/Shippings/", shipping),
            "payment": self.link("/System/Channels/Payments/", payment),
            "trackings": trackings,
            "sent": shipping_state in ("sent", "partially_delivered", "delivered"),
            "delivered": shipping_state == "delivered",
            "done": closing_state == "done",
            "canceled": closing_state == "canceled",
            "order_url": order_url,
            "invoice_url": order_url + "/invoice",
            "ip": ip,
            "external_order_prefix": external_order_prefix,
            "external_order_id": external_order_id,
            "external_payment_id": external_payment_id,
            "external_payment_url": external_payment_url,
            "status": None
            if status_id is None
            else {
                "id": status_id,
                "name": status_name,
                "icon": status_icon,
                "color": status_color,
                "sort": status_sort,
                "complete_order": complete,
                "cancel_order": cancel,
            },
            "refunded": refunded,
            "payment_state": payment_state,
            "discount": None
            if discount_type is None
            else {"type": discount_type, "value": discount_value, "reason": discount_reason},
        }


LANGUAGES = ("en", "cs")  # the codes of settings.LANGUAGES


def default_language(language_code: str) -> str:
    """default_language() of orders/language.py: LANGUAGE_CODE as one of LANGUAGES."""
    code = language_code.lower()
    for candidate in (code, code.split("-")[0]):
        if candidate in LANGUAGES:
            return candidate
    return LANGUAGES[0]


def babel_locale(language: str) -> str:
    """Django's to_locale() as orders/language.py uses it: "cs" -> "cs", "en-us" -> "en_US"."""
    code, _, country = language.partition("-")
    return f"{code.lower()}_{country.upper()}" if country else code.lower()


def iso_code(value: str | None, length: int) -> str | None:
    """iso_code() of orders/api/serializers.py: a code of `length` letters, else null."""
    if value and len(value) == length and value.isascii() and value.isalpha():
        return value
    return None


def _last(query: dict, name: str) -> str | None:
    values = query.get(name)
    return values[-1] if values else None


def _int(query: dict, name: str, default, low: int, high: int):
    value = _last(query, name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadRequest(name, "Enter a whole number.") from None
    if not low <= number <= high:
        raise BadRequest(name, f"Enter a number from {low} to {high}.")
    return number


# Generic plans for the floor's prepared statements (psycopg prepares a statement from its
# fifth run). Left to choose, PostgreSQL kept planning the read of a one-order page by
# `o.id = ANY(%s)` anew every time (0.7 ms): in-process, a tracking-number request took
# 1.90 ms, and 1.04 ms with this; no other benchmarked request got slower (bench.inprocess
# --app floor, with PGOPTIONS set both ways). The floor is the fastest the SQL can answer.
GENERIC_PLANS = "-c plan_cache_mode=force_generic_plan"


def connect_from_environment() -> psycopg.Connection:
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, options=GENERIC_PLANS)


def from_environment() -> Floor:
    return Floor(
        connect_from_environment,
        base_url=os.environ.get("PUBLIC_BASE_URL", "").rstrip("/"),
        language=default_language(os.environ.get("LANGUAGE_CODE", "en-us")),
        time_zone=os.environ.get("TIME_ZONE", "UTC"),
    )


# gunicorn imports this in the arbiter; each forked worker opens its own connection on its
# first request.
application = from_environment()
