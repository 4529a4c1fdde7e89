from django.http import HttpResponse


def todo(request, *args, **kwargs):  # replaced by the real views while the foundation is built
    return HttpResponse("not built yet", status=501)
