"""Ordering the exercise form's lists: drag and drop (django-admin-sortable2), move buttons for
the keyboard (static/exercises/admin_ordering.js) and, without JavaScript, the position numbers.

All three end in the same `position` numbers, which PositionedInlineFormSet turns into 1, 2, 3…
when the form is saved, inside the form's optimistic-locking check like any other field.
"""

from adminsortable2.admin import SortableInlineAdminMixin
from django import forms

# django-admin-sortable2 2.3.1 has no templates for Django 6.1 yet; 6.0's work unchanged.
TABULAR_TEMPLATE = "adminsortable2/edit_inline/tabular-django-6.0.html"
STACKED_TEMPLATE = "adminsortable2/edit_inline/stacked-django-6.0.html"


class OrderedInlineMixin(SortableInlineAdminMixin):
    """An inline whose rows are ordered by `position`: draggable, movable by keyboard, and
    numbered. `order_noun` names one row in the move buttons ("Move step 2 up")."""

    order_noun = "row"
    template = TABULAR_TEMPLATE

    @property
    def media(self):
        return super().media + forms.Media(js=["exercises/admin_ordering.js"])

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.order_noun = self.order_noun  # a class made for this request
        return formset
