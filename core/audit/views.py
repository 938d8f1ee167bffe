from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.audit import selectors
from core.audit.forms import AuditFilterForm
from core.shortcuts import staff_only

PAGE_SIZE = 50


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log for staff, newest first, with filters; a 404 for anyone else."""
    staff_only(request.user)
    form = AuditFilterForm(request.GET or None)
    events = selectors.audit_events(user=request.user, filters=form.filters())
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/audit.html", {"form": form, "page": page})
