"""The exercise form in production, where a static file missing from the manifest is an error."""

from django.forms import widgets


def test_the_exercise_form_never_asks_for_sortable2s_missing_6_1_script(
    admin_client, spine_stretch, monkeypatch
):
    # As ManifestStaticFilesStorage answers for a file collectstatic never saw.
    real_static = widgets.static

    def manifest_static(path):
        if path.endswith("actions-6.1.js"):
            raise ValueError(f"Missing staticfiles manifest entry for '{path}'")
        return real_static(path)

    monkeypatch.setattr(widgets, "static", manifest_static)

    response = admin_client.get(f"/admin/exercises/exercise/{spine_stretch.pk}/change/")

    assert response.status_code == 200
    assert "adminsortable2/js/actions-6.0.js" in response.content.decode()
    assert "actions-6.1.js" not in response.content.decode()
