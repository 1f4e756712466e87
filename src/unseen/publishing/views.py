from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from unseen.accounts.access import public

from .overview import latest_published_figures


@public
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "publishing/home.html", {"figures": latest_published_figures()})
