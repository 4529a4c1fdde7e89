"""Web pages around the API: the guide and the token page."""

from django.urls import path

from . import views_docs, views_tokens

app_name = "api_web"

urlpatterns = [
    path("", views_docs.guide, name="guide"),
    path("tokens/", views_tokens.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views_tokens.token_revoke, name="revoke"),
]
