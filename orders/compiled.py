"""Querysets of a fixed shape, compiled to SQL once and run again with new parameters.

Django compiles a queryset to SQL every time it is evaluated. For the Order answer's read
(the order with its status, channel and discount joined: about 70 columns) that took about
1 ms of Python, twice what PostgreSQL needs to run it, and the reads of the items and the
tracking numbers another 0.6 ms together: a third of a detail request
(docs/performance.md, "Compiled reads"). A `CompiledQuery` compiles its queryset the first
time per database and number of parameters, keeps the SQL and what Django learnt from
compiling it (the columns, the joined models, the converters), and afterwards runs only the
SQL and builds the model instances as Django's own ModelIterable does (with the same
internal helpers: the compiler's converters and `get_related_populators`).

Only shapes whose SQL parameters are exactly the values given to `build` can be compiled
this way; `CompiledQuery` checks that on compiling and otherwise runs the queryset as
Django would, every time. `read_together` sends several reads in one round trip.
"""

import inspect
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import DEFERRED, Model, QuerySet
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import get_related_populators
from django.db.models.signals import post_init, pre_init
from django.db.models.sql import Query


@dataclass(frozen=True)
class _Compiled:
    sql: str
    compiler: object  # Django's SQLCompiler of the first run
    converters: dict  # the columns' converters (from the database's values to Python's)
    init_list: list[str]  # the model's attnames, deferred ones included
    places: list[int | None] | None  # per attname its column in the row, None if deferred
    columns: list[tuple[str, int]]  # (attname, its column in the row) of the ones read
    start: int
    stop: int
    plain: bool  # the model's instances can be built without Model.__init__ (_is_plain)
    populators: list  # Django's RelatedPopulators of the joined models
    shared: list  # per populator: its foreign key if its instances are shared, else None


# Shapes kept per CompiledQuery (one per database and number of values; a page's lines
# have one per page size, 1 to 250): the most recently used, about 16 kB each.
SHAPES_KEPT = 64


class CompiledQuery:
    """`build(values)` makes the queryset; its SQL parameters must be `values`, in order."""

    def __init__(self, model: type[Model], build: Callable[[tuple], QuerySet]):
        self.model = model
        self.build = build
        self._compiled: OrderedDict[tuple[str, int], _Compiled | None] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, values: Sequence) -> list:
        return read_together(self.bind(values))[0]

    def bind(self, values: Sequence) -> "Bound":
        """This read with these values, ready to run (alone or by `read_together`)."""
        values = tuple(values)
        alias = router.db_for_read(self.model)
        compiled = self._compiled_for(alias, values)
        if compiled is None:  # the ORM reads it now
            return Bound(self, alias, None, "", (), rows=list(self.build(values).using(alias)))
        return Bound(self, alias, compiled, compiled.sql, values)

    def instances(self, bound: "Bound", rows: list) -> list:
        """The model instances of `rows`, as Django's ModelIterable builds them."""
        compiled, alias = bound.compiled, bound.alias
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        objects, start, stop, places = [], compiled.start, compiled.stop, compiled.places
        related = list(zip(compiled.populators, compiled.shared, strict=True))
        seen = {}  # (foreign key, primary key) -> the instance the read's rows share
        model, names = self.model, compiled.init_list
        plain = compiled.plain and not (
            pre_init.has_listeners(model) or post_init.has_listeners(model)
        )
        columns = compiled.columns
        for row in rows:
            if plain:
                # What Model.__init__ and from_db leave, without their per-field setattr
                # (a third of a page's instance building): the columns in the instance's
                # dict (a deferred one left out, to be loaded on access), and its state.
                obj = model.__new__(model)
                obj.__dict__.update({name: row[place] for name, place in columns})
                state = obj._state = ModelState()
                state.adding, state.db = False, alias
            elif places is None:
                obj = model.from_db(alias, names, row[start:stop])
            else:
                # With deferred columns, Django's from_db looks each attname up in a list.
                fields = [DEFERRED if place is None else row[place] for place in places]
                obj = model.from_db(alias, names, fields)
            for populator, key in related:
                if key is None:
                    populator.populate(row, obj)
                    continue
                pk = row[populator.cols_start + populator.pk_idx]
                known = seen.get((key, pk))
                if known is None:
                    populator.populate(row, obj)
                    if pk is not None:
                        seen[key, pk] = key.get_cached_value(obj)
                else:
                    populator.local_setter(obj, known)
            objects.append(obj)
        return objects

    def _compiled_for(self, alias: str, values: tuple) -> _Compiled | None:
        key = (alias, len(values))
        with self._lock:  # threads of one process share the shapes
            if key in self._compiled:
                self._compiled.move_to_end(key)
                return self._compiled[key]
        compiled = self._compile(alias, values)
        with self._lock:
            self._compiled[key] = compiled
            if len(self._compiled) > SHAPES_KEPT:
                self._compiled.popitem(last=False)
        return compiled

    def _compile(self, alias: str, values: tuple) -> _Compiled | None:
        queryset = self.build(values).using(alias)
        if queryset._prefetch_related_lookups or queryset._fields is not None:
            return None  # not a plain model read
        compiler = queryset.query.get_compiler(using=alias)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None  # Django answers it without a query
        if tuple(params) != values or compiler.annotation_col_map or compiler.has_extra_select:
            return None  # parameters or columns of its own: compile every time
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        start, stop = fields[0], fields[-1] + 1
        selected = [column[0].target.attname for column in select[start:stop]]
        attnames = [field.attname for field in self.model._meta.concrete_fields]
        deferred = selected != attnames
        return _Compiled(
            sql=sql,
            compiler=compiler,
            converters=compiler.get_converters([column[0] for column in select]),
            init_list=attnames if deferred else selected,
            places=[start + selected.index(name) if name in selected else None for name in attnames]
            if deferred
            else None,
            columns=[(name, start + n) for n, name in enumerate(selected)],
            start=start,
            stop=stop,
            plain=_is_plain(self.model),
            populators=get_related_populators(klass_info, select, alias),
            shared=[_shared_key(info) for info in klass_info.get("related_klass_infos", [])],
        )


def _is_plain(model: type[Model]) -> bool:
    """Whether Django builds `model`'s instances from a row by nothing more than setting
    each column's attribute: its own __init__ and from_db, and no attribute with a setter
    of its own (django-fsm's state fields have one; a foreign key's id has one that only
    drops a cached object a new instance does not have). The pre_init and post_init
    signals are checked on each read."""
    if model.__init__ is not Model.__init__ or model.from_db.__func__ is not Model.from_db.__func__:
        return False
    for field in model._meta.concrete_fields:
        attribute = inspect.getattr_static(model, field.attname, None)
        if hasattr(type(attribute), "__set__") and not isinstance(
            attribute, ForeignKeyDeferredAttribute
        ):
            return False
    return True


def _shared_key(klass_info: dict):
    """The foreign key of a joined model whose instances the rows of one read share (one
    status object for all the orders in it, one shipper for their tracking numbers: a
    page built 300 of its 850 objects for them), or None. Only a forward, non-unique
    foreign key: Django sets nothing on its related object (its remote_setter does
    nothing), so one instance can stand for many rows. Only read by answers."""
    field = klass_info["field"]
    if klass_info["reverse"] or klass_info["from_parent"] or field.unique:
        return None
    return field


@dataclass(frozen=True)
class Bound:
    """A CompiledQuery's call made ready: its SQL and parameters, or its `rows` when the
    ORM read them (a shape that cannot be compiled)."""

    query: CompiledQuery
    alias: str
    compiled: _Compiled | None
    sql: str
    params: tuple
    rows: list | None = None


def read_together(*reads: Bound) -> list[list]:
    """The instances of each read, in order; the statements of one database in one round
    trip where it can (`_rows`)."""
    results: list[list | None] = [read.rows for read in reads]
    pending = [n for n, read in enumerate(reads) if read.rows is None]
    for alias in dict.fromkeys(reads[n].alias for n in pending):
        mine = [n for n in pending if reads[n].alias == alias]
        statements = [(reads[n].sql, reads[n].params) for n in mine]
        for n, rows in zip(mine, _rows(connections[alias], statements), strict=True):
            results[n] = reads[n].query.instances(reads[n], rows)
    return results


def _rows(connection, statements: list[tuple[str, tuple]]) -> list[list]:
    """The rows of each (sql, params), in one round trip on PostgreSQL.

    With Django's default client-side binding, psycopg sends the statements as one simple
    query and each answers its own result set: the detail's three reads took 0.90 ms one
    by one and 0.65 ms together. With server-side binding (DATABASE_PREPARED_STATEMENTS),
    a simple query cannot carry parameters: the statements go in psycopg's pipeline mode,
    one cursor each (0.87 ms, against 1.02 ms one by one). SQLite runs one at a time."""
    if connection.vendor != "postgresql" or len(statements) == 1:
        with connection.cursor() as cursor:
            found = []
            for sql, params in statements:
                cursor.execute(sql, params)
                found.append(cursor.fetchall())
            return found
    if not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
        with connection.cursor() as cursor:
            cursor.execute(
                "; ".join(sql for sql, _ in statements),
                [param for _, params in statements for param in params],
            )
            found = [cursor.fetchall()]
            while cursor.nextset():
                found.append(cursor.fetchall())
            return found
    cursors = [connection.cursor() for _ in statements]
    try:
        # psycopg raises a statement's error when the pipeline syncs, outside Django's
        # cursor: Django's wrapper turns it into django.db's exception (a database that
        # went away is a 503, orders/api/errors.py), as for any other query.
        with connection.wrap_database_errors, connection.connection.pipeline():
            for cursor, (sql, params) in zip(cursors, statements, strict=True):
                cursor.execute(sql, params)
        return [cursor.fetchall() for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()


def prefetched(model: type[Model], objects: list) -> QuerySet:
    """A queryset that holds `objects` as if prefetch_related had read them: what
    `instance.<relation>.all()` answers once put in `instance._prefetched_objects_cache`."""
    # One unfiltered Query per model serves them all (a method that narrows the queryset
    # clones it first): making one per order cost more than reading its lines.
    queryset = QuerySet(model=model, query=_empty_query(model))
    queryset._result_cache = objects
    queryset._prefetch_done = True
    return queryset


@cache
def _empty_query(model: type[Model]) -> Query:
    return Query(model)
