from django.http import HttpRequest, HttpResponse

from returnwatch.accounts.permissions import researcher_required


@researcher_required
def tip_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


tip_detail = tip_assign = tip_status = tip_note = tip_list
tip_create_incident = tip_link_incident = tip_attachment = tip_list
