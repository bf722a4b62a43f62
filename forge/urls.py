from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Forge exercise library"
admin.site.site_title = "Forge admin"
admin.site.index_title = "Library content"

handler404 = "exercises.views.page_not_found"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("exercises.urls")),
]
