"""The exercise page's ranked queries (related exercises, “Swap for”), compiled once per shape.

Building and compiling them in the ORM (window functions, a union, correlated subqueries) cost
several times what the database spends answering them. Their SQL depends on the exercise only
through a few ids and the number of its secondary muscles, so each process compiles each
shape once, with placeholder ids, and runs it with each exercise's ids. The first exercise of
a shape checks that the placeholders' SQL, filled in, is exactly what the ORM compiles for it;
a shape for which it is not runs through the ORM every time.
"""

import copy
from types import SimpleNamespace

from django.db import connections, router

# What the ranked querysets read of the exercise, besides its secondary muscles.
IDS = ("pk", "target_muscle_id", "body_part_id", "equipment_id", "difficulty_id", "category_id")
# Placeholder ids: valid integers that no row has and no constant of the queries equals.
PLACEHOLDER = -2_000_000_000


def exercise_ids(exercise):
    """The values the ranked querysets read: the ids, then the secondary muscles' in order."""
    return [getattr(exercise, name) for name in IDS] + [
        muscle.pk for muscle in exercise.ordered_secondary_muscles
    ]


def stand_in(values):
    """An object that the ranked querysets can read as the exercise with these values."""
    ids, secondary = values[: len(IDS)], values[len(IDS) :]
    return SimpleNamespace(
        **dict(zip(IDS, ids, strict=True)),
        ordered_secondary_muscles=[SimpleNamespace(pk=pk) for pk in secondary],
    )


class CompiledQuery:
    """One shape's queryset, compiled once; `run(values)` returns its model instances."""

    compiled = {}

    def __init__(self, build, count):
        self.build = build
        self.placeholders = [PLACEHOLDER - n for n in range(count)]
        self.queryset = build(stand_in(self.placeholders))
        self.compiler = self.queryset.query.get_compiler(using=self.queryset.db)
        self.sql, params = self.compiler.as_sql()
        self.params = list(params)
        self.slots = [
            (slot, self.placeholders.index(param))
            for slot, param in enumerate(self.params)
            if type(param) is int and param in self.placeholders
        ]
        self.checked = False

    @classmethod
    def run(cls, shape, build, exercise):
        """`build(exercise)`'s results for this exercise, compiled once per shape."""
        values = exercise_ids(exercise)
        key = (shape, len(values), router.db_for_read(type(exercise)))
        query = cls.compiled.get(key)
        if query is None:
            query = cls.compiled[key] = cls(build, len(values))
        return query.results(values)

    def filled(self, values):
        params = list(self.params)
        for slot, index in self.slots:
            params[slot] = values[index]
        return params

    def results(self, values):
        params = self.filled(values)
        if not self.checked:
            real = self.build(stand_in(values))
            sql, real_params = real.query.get_compiler(using=real.db).as_sql()
            self.checked = True
            self.usable = (sql, list(real_params)) == (self.sql, params)
        if not self.usable:
            return list(self.build(stand_in(values)))
        queryset = self.queryset._chain()
        compiler = copy.copy(self.compiler)
        compiler.connection = connections[queryset.db]  # this thread's
        compiler.as_sql = lambda *args, **kwargs: (self.sql, params)
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return list(queryset)
