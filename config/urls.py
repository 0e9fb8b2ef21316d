from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

admin.site.site_header = "督办 Duban 管理后台"
admin.site.site_title = "督办 Duban"

# Unknown /api/ URLs answer JSON like the rest of the API (config/api_errors.py).
handler404 = "config.api_errors.not_found"
# A database lost after the view answered (e.g. saving the session) is a 503 too (config/middleware.py).
handler500 = "config.middleware.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(template_name="registration/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/", include("reports.api_urls")),
    path("api/", include("targets.api_urls")),
    path("reports/", include("reports.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("targets.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
