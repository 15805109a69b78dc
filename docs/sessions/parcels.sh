#!/bin/sh
# The parcels session of docs/api.md: an order shipped in two parcels, through our
# /shipments calls and the Retailys /tracking and /sent, then paid, one mug returned and
# refunded (/returns). Run it against a fresh database
# with a channel in CZK (id 1) and the carrier PPL (id 1) whose tracking_url_template is
# https://www.ppl.cz/vyhledat-zasilku?shipmentId={number}, e.g.
#   DATABASE_URL=sqlite:////tmp/parcels.sqlite3 .venv/bin/python manage.py runserver 127.0.0.1:8793
#   H=http://127.0.0.1:8793 KEY=$(DATABASE_URL=... .venv/bin/python manage.py create_api_key "Warehouse") sh docs/sessions/parcels.sh
# It prints each request (the key as $KEY) and its answer.
set -eu
: "${H:?set H to the server}" "${KEY:?set KEY to an API key}"
J='Content-Type: application/json'

run() {  # run "shown command" "jq filter" curl-arguments...
    shown=$1; filter=$2; shift 2
    printf '\n$ %s\n' "$shown"
    if [ -n "$filter" ]; then curl -s "$@" | jq -c "$filter"; else curl -s "$@"; echo; fi
}

ORDER='{"channel": 1, "email": "jana@mail.example", "name": "Jana Nováková",
 "delivery_street": "Dlouhá 5", "delivery_city": "Brno", "delivery_zip": "60200", "delivery_state_code": "CZ",
 "items": [{"code": "MUG-1", "name": "Mug", "count": 2, "price": {"final_price": 249.00, "vat": 21}},
           {"code": "TEA-1", "name": "Tea", "count": 1, "price": {"base_price": 100, "vat": 12}}]}'
run 'curl -s -X POST $H/System/Orders -H "token: $KEY" -H "$J" -d "$ORDER"' '' \
    -X POST "$H/System/Orders" -H "token: $KEY" -H "$J" -d "$ORDER"
ITEMS='{sent, delivered, items: [.items[] | {id, name, count, ordered, waiting_count}]}'

run 'curl -s $H/System/Orders/1 -H "token: $KEY" | jq -c "'"$ITEMS"'"' "$ITEMS" \
    "$H/System/Orders/1" -H "token: $KEY"

B='{"lines": [{"item_id": 1, "count": 2}], "shipper_id": 1, "tracking_number": "40990012345", "weight": 1.2}'
run "curl -s -X POST \$H/System/Orders/1/shipments -H \"token: \$KEY\" -H \"\$J\" -d '$B'   # the mugs are in stock" '' \
    -X POST "$H/System/Orders/1/shipments" -H "token: $KEY" -H "$J" -d "$B"

B='{"lines": [{"item_id": 1, "count": 1}]}'
run "curl -s -X POST \$H/System/Orders/1/shipments -H \"token: \$KEY\" -H \"\$J\" -d '$B'   # no mug left to pack" '' \
    -X POST "$H/System/Orders/1/shipments" -H "token: $KEY" -H "$J" -d "$B"

run 'curl -s -X PATCH $H/System/Orders/1/shipments/1/delivered -H "token: $KEY"   # not sent yet' '' \
    -X PATCH "$H/System/Orders/1/shipments/1/delivered" -H "token: $KEY"

run 'curl -s -X PATCH $H/System/Orders/1/shipments/1/sent -H "token: $KEY" | jq -c "{id, state, date_sent: (.date_sent != null)}"' \
    '{id, state, date_sent: (.date_sent != null)}' \
    -X PATCH "$H/System/Orders/1/shipments/1/sent" -H "token: $KEY"

run 'curl -s $H/System/Orders/1 -H "token: $KEY" | jq -c "'"$ITEMS"'"   # the tea waits' "$ITEMS" \
    "$H/System/Orders/1" -H "token: $KEY"

run 'curl -s -X PATCH $H/System/Orders/1/delivered -H "token: $KEY"   # not everything is sent' '' \
    -X PATCH "$H/System/Orders/1/delivered" -H "token: $KEY"

B='{"shipper_id": 1, "tracking_number": "40990012399"}'
run "curl -s -X POST \$H/System/Orders/1/tracking -H \"token: \$KEY\" -H \"\$J\" -d '$B'   # the Retailys way: a parcel of what waits" '' \
    -X POST "$H/System/Orders/1/tracking" -H "token: $KEY" -H "$J" -d "$B"

run 'curl -s -X PATCH $H/System/Orders/1/sent -H "token: $KEY" | jq -c "'"$ITEMS"'"' "$ITEMS" \
    -X PATCH "$H/System/Orders/1/sent" -H "token: $KEY"

LIST='.paginator, (.shipments[] | {id, state, lines, tracking_url, weight})'
run 'curl -s $H/System/Orders/1/shipments -H "token: $KEY" | jq -c "'"$LIST"'"' "$LIST" \
    "$H/System/Orders/1/shipments" -H "token: $KEY"

run 'curl -s -X PATCH $H/System/Orders/1/shipments/1/delivered -H "token: $KEY" | jq -c "{id, state}"' '{id, state}' \
    -X PATCH "$H/System/Orders/1/shipments/1/delivered" -H "token: $KEY"

run 'curl -s $H/System/Orders/1 -H "token: $KEY" | jq -c "{sent, delivered}"   # partially delivered' '{sent, delivered}' \
    "$H/System/Orders/1" -H "token: $KEY"

run 'curl -s -X PATCH $H/System/Orders/1/cancel -H "token: $KEY"   # a mug parcel arrived' '' \
    -X PATCH "$H/System/Orders/1/cancel" -H "token: $KEY"

run 'curl -s -X PATCH $H/System/Orders/1/delivered -H "token: $KEY" | jq -c "{sent, delivered}"   # the rest: every sent parcel' '{sent, delivered}' \
    -X PATCH "$H/System/Orders/1/delivered" -H "token: $KEY"

run 'curl -s -X DELETE $H/System/Orders/1/shipments/2 -H "token: $KEY"   # delivered: cannot be canceled' '' \
    -X DELETE "$H/System/Orders/1/shipments/2" -H "token: $KEY"

HIST='.history[] | {type, name, actor}'
run 'curl -s "$H/System/Orders/1/history?per_page=20" -H "token: $KEY" | jq -c "'"$HIST"'"' "$HIST" \
    "$H/System/Orders/1/history?per_page=20" -H "token: $KEY"

EVENTS='[.events[].type]'
run 'curl -s "$H/System/Orders/Events" -H "token: $KEY" | jq -c "'"$EVENTS"'"' "$EVENTS" \
    "$H/System/Orders/Events" -H "token: $KEY"

# --- one mug comes back ---------------------------------------------------------------
B='{"paid": 610.00, "payment_id": "GP-1"}'
run "curl -s -X PATCH \$H/System/Orders/1/paid -H \"token: \$KEY\" -H \"\$J\" -d '$B' | jq -c '{money, paid, payment_state}'" \
    '{money: .money, paid: .paid, payment_state}' \
    -X PATCH "$H/System/Orders/1/paid" -H "token: $KEY" -H "$J" -d "$B"

B='{"reason": "Mug too small", "lines": [{"item_id": 1, "count": 3}]}'
run "curl -s -X POST \$H/System/Orders/1/returns -H \"token: \$KEY\" -H \"\$J\" -d '$B'   # only 2 were delivered" '' \
    -X POST "$H/System/Orders/1/returns" -H "token: $KEY" -H "$J" -d "$B"

B='{"reason": "Mug too small", "lines": [{"item_id": 1, "count": 1}]}'
RET='{id, state, reason, lines}'
run "curl -s -X POST \$H/System/Orders/1/returns -H \"token: \$KEY\" -H \"\$J\" -d '$B' | jq -c '$RET'" "$RET" \
    -X POST "$H/System/Orders/1/returns" -H "token: $KEY" -H "$J" -d "$B"

run 'curl -s -X PATCH $H/System/Orders/1/returns/1/received -H "token: $KEY" | jq -c "{id, state}"' '{id, state}' \
    -X PATCH "$H/System/Orders/1/returns/1/received" -H "token: $KEY"

REF='{id, state, refund_id, refund_amount}'
run 'curl -s -X POST $H/System/Orders/1/returns/1/refund -H "token: $KEY" | jq -c "'"$REF"'"' "$REF" \
    -X POST "$H/System/Orders/1/returns/1/refund" -H "token: $KEY"

MONEY='{money, paid, refunded, payment_state, items: [.items[] | {id, name, count, waiting_count}]}'
run 'curl -s $H/System/Orders/1 -H "token: $KEY" | jq -c "'"$MONEY"'"' "$MONEY" \
    "$H/System/Orders/1" -H "token: $KEY"
