from books import api, library, pages
from django.urls import include, path
from rest_framework.routers import DefaultRouter

router = DefaultRouter()
router.register("books", api.BookViewSet, basename="book")
router.register("authors", api.AuthorViewSet, basename="author")
router.register("reviews", api.ReviewViewSet, basename="review")
router.register("me/shelf", api.ShelfViewSet, basename="shelf")

# The same API cached the polycache.drf way (books/library.py).
library_router = DefaultRouter()
library_router.register("books", library.BookViewSet, basename="library-book")
library_router.register("me/shelf", library.ShelfViewSet, basename="library-shelf")

urlpatterns = [
    path("api/v2/stats/", library.CatalogueStatsView.as_view(), name="library-stats"),
    path("api/v2/", include(library_router.urls)),
    path("api/stats/", api.CatalogueStatsView.as_view(), name="catalogue-stats"),
    path("api/", include(router.urls)),
    path("site/catalogue/", pages.catalogue_page, name="catalogue-page"),
    path("books/<int:pk>/", pages.book_page, name="book-page"),
    path("books/<int:pk>/rating.json", pages.book_rating, name="book-rating"),
]
