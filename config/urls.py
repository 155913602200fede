from django.contrib import admin
from django.urls import include, path

from api.urls import urlpatterns as api_urlpatterns
from ops import views as ops_views

urlpatterns = [
    # Probes for load balancers and Prometheus (docs/deployment.md, "Health and metrics").
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("metrics", ops_views.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_urlpatterns)),
    path("", include("web.urls")),
]
