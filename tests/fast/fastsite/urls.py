from django.urls import path

from . import users, views

urlpatterns = [path(f"{name}/", getattr(views, name)) for name in views.PAGES]
urlpatterns += [path(f"{name}/", getattr(users, name)) for name in users.PAGES]
