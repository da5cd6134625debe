from django.urls import path

from . import views

urlpatterns = [path(f"{name}/", getattr(views, name)) for name in views.PAGES]
