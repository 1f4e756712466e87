from django.http import HttpResponse
from django.urls import path


def forgotten(request):
    return HttpResponse("this view forgot to declare a permission")


urlpatterns = [path("forgotten/", forgotten)]
