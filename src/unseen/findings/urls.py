from django.urls import path

from . import views

app_name = "findings"

urlpatterns = [
    path("", views.finding_list, name="list"),
    path("feed.atom", views.feed, name="feed"),
    path("<slug:slug>/", views.finding_detail, name="detail"),
    path("<slug:slug>/print/", views.finding_print, name="print"),
    path("<slug:slug>/pdf", views.finding_pdf, name="pdf"),
    path("<slug:slug>/card.png", views.finding_card, name="card"),
    path("<slug:slug>/comment/", views.comment, name="comment"),
]
