"""Public pages (being built: see issue 3)."""

from django.http import Http404


def _todo(request, **kwargs):
    raise Http404


library = equipment_hub = muscle_hub = category_hub = body_part_or_difficulty_hub = _todo
combination_hub = exercise_detail = _todo
