from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from samtrygg.reports.access import visible_reports


@login_required
def home(request):
    recent = visible_reports(request.user).select_related("category", "organization")[:10]
    return render(request, "core/home.html", {"recent": recent})
