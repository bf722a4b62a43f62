"""The exercise form's explicit "Save draft" and "Publish" buttons, and its warning before
leaving with unsaved changes (static/exercises/admin_unsaved.js).

A button sets the status the form is saved with, so the save goes through every check a
Publish must pass: the publish gate's refusal (the form's errors) names what is missing.
"""

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from .models import Exercise

# The buttons' names in the POST data, and the status each saves with.
BUTTONS = {"_publish": Exercise.Status.PUBLISHED, "_save_draft": Exercise.Status.DRAFT}


def pressed(request):
    """The status button the form was submitted with, if any ("_publish", "_save_draft")."""
    return next((name for name in BUTTONS if name in request.POST), None)


class PublishButtonsMixin:
    """For ExerciseAdmin: the two buttons (templates/admin/exercises/exercise/submit_line.html)
    and the unsaved-changes warning."""

    @property
    def media(self):
        return super().media + forms.Media(js=["exercises/admin_unsaved.js"])

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        button = pressed(request) if request.method == "POST" else None
        if button:
            request.POST = request.POST.copy()
            request.POST["status"] = BUTTONS[button]
        return super().changeform_view(request, object_id, form_url, extra_context)

    def response_add(self, request, obj, post_url_continue=None):
        return self.after_button(request, obj) or super().response_add(
            request, obj, post_url_continue
        )

    def response_change(self, request, obj):
        return self.after_button(request, obj) or super().response_change(request, obj)

    def after_button(self, request, obj):
        """Back to the form, saying what the button did (None: another button was used)."""
        button = pressed(request)
        if button is None:
            return None
        if button == "_publish":
            message = f"“{obj}” is published: visitors see it at {obj.get_absolute_url()}."
        else:
            message = f"“{obj}” is saved as a draft: only staff can see it (preview below)."
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(
            reverse(f"{self.admin_site.name}:exercises_exercise_change", args=[obj.pk])
        )
