from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("books", views.BookViewSet, basename="book")
router.register("shelf", views.ShelfViewSet, basename="shelf")

urlpatterns = [
    path("api/", include(router.urls)),
    path("api/stats/", views.StatsView.as_view()),
    path("api/slow/", views.SlowView.as_view()),
    path("api/cookie/", views.CookieView.as_view()),
]
