from books import api, pages
from django.urls import include, path
from rest_framework.routers import DefaultRouter

router = DefaultRouter()
router.register("books", api.BookViewSet, basename="book")
router.register("authors", api.AuthorViewSet, basename="author")
router.register("reviews", api.ReviewViewSet, basename="review")
router.register("me/shelf", api.ShelfViewSet, basename="shelf")

urlpatterns = [
    path("api/stats/", api.CatalogueStatsView.as_view(), name="catalogue-stats"),
    path("api/", include(router.urls)),
    path("site/catalogue/", pages.catalogue_page, name="catalogue-page"),
    path("books/<int:pk>/", pages.book_page, name="book-page"),
    path("books/<int:pk>/rating.json", pages.book_rating, name="book-rating"),
]
