"""What every admin of the project shares: a tampered request gets a message, not a 500."""

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect


class TamperedSelectionMixin:
    """Answer an action posted with a selection that is not ids of this model (a tampered or
    hand-made form) with a message and the list again. Django's admin would pass each value
    to the database and answer with a server error: "abc" is no integer, and an integer past
    the column's range overflows SQLite and PostgreSQL alike.

    Every project admin inherits it (through TaxonAdmin, ExerciseAdmin and HistoryAdmin);
    tests/test_admin_tampering.py checks each registered admin."""

    def response_action(self, request, queryset, *args, **kwargs):
        field = self.model._meta.pk
        try:
            for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                # The range validators the database backend sets for an integer key.
                field.run_validators(field.to_python(value))
        except ValidationError:
            self.message_user(
                request,
                "The selection was not understood; select the rows again.",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset, *args, **kwargs)
