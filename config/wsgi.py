import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# The garbage collector, tuned for requests that make many short-lived objects: a list of
# 100 orders makes about 200,000 (model rows, dicts), so at CPython's default threshold
# (700) it collected 16 times a request and walked the whole heap now and then, a third
# of the request's CPU (docs/performance.md). What start-up loaded is never garbage:
# frozen, full collections skip it; the young generation is collected every 50,000
# allocations (a few MB), the older ones as before relative to it.
GC_THRESHOLDS = (50_000, 10, 10)
gc.collect()
gc.freeze()
gc.set_threshold(*GC_THRESHOLDS)
