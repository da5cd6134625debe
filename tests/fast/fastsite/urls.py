from django.urls import path

from . import api, users, views

urlpatterns = [path(f"{name}/", getattr(views, name)) for name in views.PAGES]
urlpatterns += [path(f"{name}/", getattr(users, name)) for name in users.PAGES]
urlpatterns += [path(f"api/{name}/", view.as_view()) for name, view in api.VIEWS.items()]
