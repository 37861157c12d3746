"""URLs. Each app owns `<app>/urls.py` (pages, namespaced by app) and `<app>/api/urls.py` (under /api/v1/)."""
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core import views as core_views
from core.api import views as core_api

# Every app's URLs, named explicitly: a missing module is an import error at start-up, never a silent skip.
API_APPS = ["workcal", "cases", "feedback", "reports", "notifications", "attachments", "signing"]
PAGE_APPS = ["workcal", "cases", "feedback", "portal", "reports", "legal", "notifications", "attachments", "signing"]

api_patterns = [
    path("auth/token/", core_api.TokenView.as_view(), name="api-token"),
    path("auth/logout/", core_api.LogoutView.as_view(), name="api-logout"),
    path("offices/", core_api.OfficeList.as_view(), name="api-offices"),
    *(path("", include(f"{app}.api.urls")) for app in API_APPS),
]
page_patterns = [path("", include((f"{app}.urls", app), namespace=app)) for app in PAGE_APPS]

handler404 = "core.api.errors.not_found"  # JSON under /api/, the HTML page elsewhere

urlpatterns = [
    path("", core_views.home, name="home"),
    path("dang-nhap/", core_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("doi-mat-khau/", core_views.PasswordChangeView.as_view(), name="password_change"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", core_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says: the same icon as the pages' <link rel="icon">.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True), name="favicon"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", login_required(SpectacularSwaggerView.as_view(url_name="schema")), name="api-docs"),
    *page_patterns,
]
handler500 = "core.views.server_error"
