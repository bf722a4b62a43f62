"""The exercise's history in the admin: every recorded version with who, when and what changed,
a page per version with its changes and what reverting to it would change, and the revert.

Replaces django-reversion's history and revert form for exercises: that form would restore
the old optimistic-locking number, and its history says only the admin's change message.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from .history import Names, diff, snapshots, versions_of
from .revert import RevertRefused, revert, saved_at

# Versions listed per history page.
HISTORY_PAGE = 25
# Changes summarised per version in the list before "… and N more".
SUMMARY_LINES = 4


class ExerciseHistoryMixin:
    """For ExerciseAdmin (a reversion VersionAdmin): the history list, version page, revert."""

    object_history_template = "admin/exercises/exercise/object_history.html"

    def exercise_or_404(self, request, object_id):
        exercise = self.get_object(request, unquote(object_id))
        if exercise is None:
            raise Http404("No such exercise.")
        if not self.has_view_or_change_permission(request, exercise):
            raise PermissionDenied
        return exercise

    def history_view(self, request, object_id, extra_context=None):
        exercise = self.exercise_or_404(request, object_id)
        paginator = Paginator(versions_of(exercise.pk), HISTORY_PAGE)
        page = paginator.get_page(request.GET.get("p"))
        listed = list(page.object_list)
        # One version older than the page's last, to say what that one changed.
        older = list(versions_of(exercise.pk)[page.end_index() : page.end_index() + 1])
        shots = snapshots(listed + older)
        names = Names(shots)
        entries = []
        for index, shot in enumerate(shots[: len(listed)]):
            before = shots[index + 1] if index + 1 < len(shots) else None
            changes = diff(before, shot, names)
            entries.append(
                {
                    "version": shot.version,
                    "revision": shot.version.revision,
                    "url": self.version_url(exercise, shot.version),
                    "changes": changes[:SUMMARY_LINES],
                    "more": max(len(changes) - SUMMARY_LINES, 0),
                    "first": before is None,
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {exercise}",
            "subtitle": None,
            "opts": self.opts,
            "object": exercise,
            "entries": entries,
            "page_obj": page,
            "paginator": paginator,
            "start_number": paginator.count - page.start_index() + 1,
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)

    def version_url(self, exercise, version):
        return reverse(
            f"{self.admin_site.name}:exercises_exercise_revision", args=[exercise.pk, version.pk]
        )

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """A version's page: what it changed, what reverting would change; POST reverts."""
        exercise = self.exercise_or_404(request, object_id)
        versions = versions_of(exercise.pk)
        version = get_object_or_404(versions, pk=version_id)
        if request.method == "POST":
            return self.revert_view(request, exercise, version)
        previous = versions.filter(pk__lt=version.pk).first()
        latest = versions.first()
        shots = snapshots([version] + [v for v in (previous, latest) if v is not None])
        shot = shots[0]
        before = shots[1] if previous is not None else None
        current = shots[-1]
        names = Names(shots)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{exercise}: version saved {saved_at(version)}",
            "subtitle": None,
            "opts": self.opts,
            "object": exercise,
            "version": version,
            "revision": version.revision,
            "changes": diff(before, shot, names),
            "first": before is None,
            "previous_url": self.version_url(exercise, previous) if previous else "",
            # What reverting would change: from the exercise as it is to this version.
            "revert_changes": diff(current, shot, names) if latest.pk != version.pk else [],
            "is_latest": latest.pk == version.pk,
            "current_number": exercise.version,
            "can_revert": self.has_change_permission(request, exercise),
            "history_url": reverse(
                f"{self.admin_site.name}:exercises_exercise_history", args=[exercise.pk]
            ),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/exercises/exercise/version.html", context)

    def revert_view(self, request, exercise, version):
        if not self.has_change_permission(request, exercise):
            raise PermissionDenied
        here = self.version_url(exercise, version)
        value = request.POST.get("loaded_version", "")
        if not value.isascii() or not value.isdigit() or len(value) > 10:
            self.message_user(
                request,
                "This page did not say which version of the exercise it showed; nothing was "
                "changed. Look at the changes below and revert again.",
                messages.ERROR,
            )
            return HttpResponseRedirect(here)
        (shot,) = snapshots([version])
        try:
            reverted = revert(shot, loaded_version=int(value), user=request.user)
        except RevertRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(here)
        message = f"Reverted to the version saved {saved_at(version)}."
        self.log_change(request, reverted, message)
        self.message_user(
            request,
            f"{message} The public page shows it now; the revert is in the history, so it "
            "can be undone the same way.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse(f"{self.admin_site.name}:exercises_exercise_change", args=[exercise.pk])
        )
