"""JSON API /api/v1/ (docs/api.md). Reads go through returnwatch.public only; writes need a
researcher's token and follow the workspace's rules (drafts only; publishing stays with
editors in the workspace), each recorded in the change history."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from returnwatch import access, public
from returnwatch.audit import log
from returnwatch.audit.actions import Action
from returnwatch.exports import formats
from returnwatch.incidents import actions, facets, filters, rules, stats
from returnwatch.incidents.models import (
    Citation,
    City,
    Country,
    Document,
    DocumentKind,
    Incident,
    Perpetrator,
    PlaceType,
    PortOfEntry,
    Program,
    VictimGroup,
    ViolenceType,
)
from returnwatch.public.columns import english

from .schema import ErrorSerializer

# ---------------------------------------------------------------------------- base


# The API is language-neutral: labels and messages in English whatever the browser says.
class EnglishView(APIView):
    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        with translation.override("en"):
            response = super().dispatch(request, *args, **kwargs)
            if request.method in ("GET", "HEAD"):
                response["Access-Control-Allow-Origin"] = "*"
            return response


SEARCH_PARAMETERS = [
    OpenApiParameter("q", str, description="Words, Spanish and English alike (full text)."),
    *[
        OpenApiParameter(
            f.param,
            str,
            many=True,
            explode=True,
            description=f"{f.label} code (repeat for any of several values).",
        )
        for f in filters.FACETS
    ],
    # Typed as text, as the API reads them: a value that is not a year, a date or a document
    # number is ignored and listed in `notices`, never an error (the same as /incidents/).
    OpenApiParameter(
        "year", str, many=True, explode=True, description="Year of the incident, e.g. 2019."
    ),
    OpenApiParameter("from", str, description="Incidents on or after this date (YYYY-MM-DD)."),
    OpenApiParameter("to", str, description="Incidents on or before this date (YYYY-MM-DD)."),
    OpenApiParameter("document", str, description="Incidents citing this library document (id)."),
]


# ---------------------------------------------------------------------------- serializers

_JSON_TYPES = {
    "integer": serializers.IntegerField,
    "number": serializers.FloatField,
    "boolean": serializers.BooleanField,
    "date": serializers.DateField,
    "date-time": serializers.DateTimeField,
}


def _field(column: public.Column) -> serializers.Field:
    help_text = english(column.description)
    if column.multi:
        return serializers.ListField(child=serializers.CharField(), help_text=help_text)
    cls = _JSON_TYPES.get(column.type, serializers.CharField)
    return cls(help_text=help_text, allow_null=not column.required)


class PublicIncidentSerializer(serializers.Serializer):
    """A public incident: one field per column of the registry (returnwatch/public/columns.py),
    read from an export record (`formats.record`), whose values are already JSON."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = {c.name: _field(c) for c in public.COLUMNS}
        fields.update(super().get_fields())
        return fields


class SourceSerializer(serializers.Serializer):
    title = serializers.CharField()
    publisher = serializers.CharField()
    url = serializers.CharField()
    date_published = serializers.DateField(allow_null=True)
    kind = serializers.CharField()
    language = serializers.CharField()
    passage = serializers.CharField()
    excerpt = serializers.CharField()
    reliability = serializers.CharField()


class IncidentDetailSerializer(PublicIncidentSerializer):
    status = serializers.CharField()
    sources = SourceSerializer(many=True)
    library = serializers.ListField(child=serializers.CharField(), help_text="Library item slugs.")


class FacetValueSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label
    count = serializers.IntegerField()
    selected = serializers.BooleanField()


class FacetSerializer(serializers.Serializer):
    param = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label
    values = FacetValueSerializer(many=True)


class IncidentPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    notices = serializers.ListField(child=serializers.CharField())
    facets = FacetSerializer(many=True, required=False)
    results = PublicIncidentSerializer(many=True)


class RetractedIncidentSerializer(serializers.Serializer):
    reference = serializers.CharField()
    url = serializers.CharField()
    status = serializers.ChoiceField(choices=["retracted"])
    title = serializers.CharField()
    retraction_reason = serializers.CharField()


class MonthSerializer(serializers.Serializer):
    month = serializers.CharField()
    count = serializers.IntegerField()
    running_total = serializers.IntegerField()


class BreakdownRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label
    count = serializers.IntegerField()


class BreakdownSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    rows = BreakdownRowSerializer(many=True)


STATISTICS_NOTE = "Published incidents only: counts of public reports; the true number is higher."


class StatisticsSerializer(serializers.Serializer):
    incidents = serializers.IntegerField()
    people = serializers.IntegerField()
    children_kidnapped_incidents = serializers.IntegerField()
    undated = serializers.IntegerField()
    months = MonthSerializer(many=True)
    breakdowns = BreakdownSerializer(many=True)
    note = serializers.CharField(help_text="How to read the numbers (always the same text).")


class VocabularyIndexSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.CharField()
    csv = serializers.CharField()
    count = serializers.IntegerField()


class VocabularySerializer(serializers.Serializer):
    name = serializers.CharField()
    terms = serializers.ListField(child=serializers.DictField())


def _code_field(model: Any, **kw: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="code", queryset=model.objects.all(), **kw)


MULTI_FIELDS = ("violence_types", "perpetrators", "victim_groups", "nationalities")


class IncidentWriteSerializer(serializers.ModelSerializer):
    """A researcher's incident, as written through the API: always a draft (or in review)."""

    city = _code_field(City, required=False, allow_null=True)
    place_type = _code_field(PlaceType, required=False, allow_null=True)
    program = _code_field(Program, required=False, allow_null=True)
    port_of_entry = _code_field(PortOfEntry, required=False, allow_null=True)
    violence_types = _code_field(ViolenceType, many=True, required=False)
    perpetrators = _code_field(Perpetrator, many=True, required=False)
    victim_groups = _code_field(VictimGroup, many=True, required=False)
    nationalities = _code_field(Country, many=True, required=False)

    class Meta:
        model = Incident
        fields = [
            "reference", "status", "title", "summary", "narrative", "date", "date_precision",
            "date_reported", "city", "place_type", "program", "violence_types", "perpetrators",
            "victim_groups", "nationalities", "victims_count", "children_count", "gender",
            "port_of_entry", "fear_expressed", "complaint_crcl", "complaint_oig", "lawsuit",
            "verification", "external_id",
        ]  # fmt: skip
        read_only_fields = ["reference", "status"]

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        # The domain rules, shared with the workspace and the importer (incidents/rules.py).
        found = rules.problems(data, self.instance)
        if found:
            raise serializers.ValidationError(found)
        return data


class CitationWriteSerializer(serializers.ModelSerializer):
    document = serializers.PrimaryKeyRelatedField(queryset=Document.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only a document the user may see can be cited; another organization's answers
        # exactly like one that does not exist.
        request = self.context.get("request")
        user = getattr(request, "user", None)
        self.fields["document"].queryset = access.visible_documents(user)  # type: ignore[attr-defined]  # a PrimaryKeyRelatedField

    class Meta:
        model = Citation
        fields = ["id", "document", "passage", "excerpt", "reliability"]
        read_only_fields = ["id"]


class DocumentWriteSerializer(serializers.ModelSerializer):
    kind = _code_field(DocumentKind)

    class Meta:
        model = Document
        fields = [
            "id",
            "kind",
            "title",
            "publisher",
            "url",
            "date_published",
            "language",
            "summary",
        ]
        read_only_fields = ["id"]


# ---------------------------------------------------------------------------- incidents


class IncidentCursor:
    """Keyset cursors over (date, id), newest first: stable under additions and changes."""

    page_size = 50
    max_page_size = 500


def _read_cursor(raw: str) -> facets.Cursor:
    """A cursor the API gave ("a" or "b", day, id in URL-safe base64), else 404."""
    try:
        text = base64.urlsafe_b64decode(raw.encode("ascii") + b"==").decode("ascii")
        way, day, pk = text.split(":")
        if way not in ("a", "b"):
            raise ValueError(way)
        return facets.Cursor(int(day), int(pk), way == "a")
    except (ValueError, UnicodeError, binascii.Error) as error:
        raise NotFound("This cursor is not one the API gave.") from error


def _cursor_link(request: Request, key: tuple[int, int], after: bool) -> str:
    way = "a" if after else "b"
    token = base64.urlsafe_b64encode(f"{way}:{key[0]}:{key[1]}".encode()).decode().rstrip("=")
    return replace_query_param(request.build_absolute_uri(), "cursor", token)


BAD_PARAMETER = OpenApiResponse(ErrorSerializer, "A paging parameter has a wrong value.")
BAD_CURSOR = OpenApiResponse(ErrorSerializer, "The cursor is not one the API gave.")


def _check_paging(request: Request, most: int, *, facets: bool = False) -> None:
    """A wrong page size or facets switch is a clear error (search parameters never are:
    unknown codes are listed in `notices`)."""
    size = request.query_params.get("page_size")
    if size is not None and not (size.isdigit() and 1 <= int(size) <= most):
        raise ValidationError({"detail": f"page_size must be a whole number from 1 to {most}."})
    if facets and request.query_params.get("facets") not in (None, "0", "1"):
        raise ValidationError({"detail": "facets must be 0 or 1."})


def records(ids_in_order: list[int]) -> list[dict[str, Any]]:
    """Public records (the export shape) of these incidents, in this order."""
    if not ids_in_order:
        return []
    found: dict[str, dict[str, Any]] = {}
    for chunk in public.export_rows(public.incidents().filter(pk__in=ids_in_order)):
        for row in chunk:
            found[row["reference"]] = formats.record(row)
    refs = dict(Incident.objects.filter(pk__in=ids_in_order).values_list("pk", "reference"))
    return [found[refs[pk]] for pk in ids_in_order if refs.get(pk) in found]


def _facets(search: filters.Search, matching: Any) -> list[dict[str, Any]]:
    return [
        {
            "param": f.param,
            "label": f.label,
            "values": [
                {"code": v.code, "label": v.label, "count": v.count, "selected": v.selected}
                for v in f.values
            ],
        }
        for f in facets.counts(search, matching)
    ]


def _changed(serializer: serializers.ModelSerializer, instance: Incident | None) -> list[str]:
    names = []
    for name, value in serializer.validated_data.items():
        if instance is None:
            names.append(name)
            continue
        current = getattr(instance, name)
        if hasattr(current, "all"):
            if {t.pk for t in current.all()} != {t.pk for t in value}:
                names.append(name)
        elif current != value:
            names.append(name)
    return names


class IncidentListView(EnglishView):
    @extend_schema(
        operation_id="incidents_list",
        summary="Published incidents",
        description=(
            "Published incidents matching the search parameters (the same as /incidents/), "
            "newest records first, with cursor pagination (follow `next`). Facet counts come "
            "with the first page (`facets=1` or `facets=0` to choose). Unknown codes are "
            "ignored and listed in `notices`."
        ),
        parameters=[
            *SEARCH_PARAMETERS,
            OpenApiParameter("cursor", str, description="Position, from `next` or `previous`."),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": IncidentCursor.max_page_size},
                description="Records per page (1 to 500; default 50).",
            ),
            OpenApiParameter("facets", int, enum=[0, 1], description="Include facet counts."),
        ],
        responses={200: IncidentPageSerializer, 400: BAD_PARAMETER, 404: BAD_CURSOR},
    )
    def get(self, request: Request) -> Response:
        _check_paging(request, IncidentCursor.max_page_size, facets=True)
        search = filters.parse(request.query_params)
        size = int(request.query_params.get("page_size") or IncidentCursor.page_size)
        raw = request.query_params.get("cursor")
        cursor = _read_cursor(raw) if raw is not None else None
        # The search page's fast path: the facet index's match set, paged by rank.
        page = facets.keyset_page(search, public.incidents(), cursor, size)
        data: dict[str, Any] = {
            "count": page.count,
            "next": _cursor_link(request, page.keys[-1], True) if page.has_next else None,
            "previous": _cursor_link(request, page.keys[0], False)
            if page.has_previous and page.keys
            else None,
            "notices": search.notices,
        }
        want = request.query_params.get("facets")
        if want == "1" or (want != "0" and raw is None):
            data["facets"] = _facets(search, page.found)
        data["results"] = records(page.ids)
        return Response(IncidentPageSerializer(data).data)

    @extend_schema(
        operation_id="incidents_create",
        summary="Create an incident (as a draft)",
        description="Needs a researcher's token. The record is a draft: editors publish it "
        "in the workspace.",
        request=IncidentWriteSerializer,
        responses={201: IncidentWriteSerializer},
    )
    def post(self, request: Request) -> Response:
        if not access.can(request, "create", Incident):
            raise PermissionDenied("Your account has no organization: an admin gives it one.")
        serializer = IncidentWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        multi = {name: values.pop(name) for name in list(values) if name in MULTI_FIELDS}
        incident = actions.create_draft(
            request.user,
            Incident(**values),
            fields=_changed(serializer, None),
            multi=multi,
            note="API",
        )
        response = Response(IncidentWriteSerializer(incident).data, status=status.HTTP_201_CREATED)
        response["Location"] = reverse("api:incident", args=[incident.reference])
        return response


def _editable(request: Request, reference: str) -> Incident:
    incident = get_object_or_404(access.visible_incidents(request.user), reference=reference)
    if not access.can(request, "change", incident):
        raise PermissionDenied(
            "You may not change this record through the API: a public record changes only in "
            "the workspace, by an editor of the organization that holds it."
        )
    return incident


class IncidentDetailView(EnglishView):
    @extend_schema(
        operation_id="incidents_retrieve",
        summary="One published incident, with its sources",
        description="A retracted incident answers with its reference, title, status and the "
        "reason it was retracted only.",
        responses={
            200: PolymorphicProxySerializer(
                component_name="IncidentOrRetraction",
                serializers=[IncidentDetailSerializer, RetractedIncidentSerializer],
                resource_type_field_name=None,
            )
        },
    )
    def get(self, request: Request, reference: str) -> Response:
        shown = public.incident(reference)
        if shown is None:
            raise NotFound("There is no public case with this reference.")
        if shown.is_retracted:
            retraction = {
                "reference": shown.reference,
                "url": formats.case_url(shown.reference),
                "status": shown.status,
                "title": shown.title,
                "retraction_reason": shown.retraction_reason,
            }
            return Response(RetractedIncidentSerializer(retraction).data)
        pk = public.incident_ids().filter(reference=reference).values_list("pk", flat=True).first()
        if pk is None:
            raise NotFound("There is no public case with this reference.")
        data = records([pk])[0]
        data["status"] = shown.status
        data["sources"] = [
            {
                "title": c.document_title,
                "publisher": c.document_publisher,
                "url": c.document_url,
                "date_published": formats.json_value(c.document_date),
                "kind": c.document_kind.code,
                "language": c.document_language,
                "passage": c.passage,
                "excerpt": c.excerpt,
                "reliability": c.reliability,
            }
            for c in public.citations(reference)
        ]
        data["library"] = [item.slug for item in public.library_items_for(reference)]
        return Response(IncidentDetailSerializer(data).data)

    @extend_schema(
        operation_id="incidents_partial_update",
        summary="Change a draft or a record in review",
        description="Needs a researcher's token. Public records (published, retracted) cannot "
        "be changed through the API; the status cannot be changed here.",
        request=IncidentWriteSerializer,
        responses={200: IncidentWriteSerializer},
    )
    def patch(self, request: Request, reference: str) -> Response:
        return self._update(request, reference, partial=True)

    @extend_schema(
        operation_id="incidents_update",
        summary="Replace a draft or a record in review",
        request=IncidentWriteSerializer,
        responses={200: IncidentWriteSerializer},
    )
    def put(self, request: Request, reference: str) -> Response:
        return self._update(request, reference, partial=False)

    def _update(self, request: Request, reference: str, *, partial: bool) -> Response:
        incident = _editable(request, reference)
        serializer = IncidentWriteSerializer(incident, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            changed = _changed(serializer, incident)
            incident = serializer.save()
            if changed:
                log.record(
                    request.user, Action.UPDATE, incident, changed, note="API", about=incident
                )
        return Response(IncidentWriteSerializer(incident).data)


class CitationCreateView(EnglishView):
    @extend_schema(
        operation_id="citations_create",
        summary="Cite a document as a source of a draft",
        request=CitationWriteSerializer,
        responses={201: CitationWriteSerializer},
    )
    def post(self, request: Request, reference: str) -> Response:
        incident = _editable(request, reference)
        serializer = CitationWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                citation = serializer.save(incident=incident)
                log.record(
                    request.user,
                    Action.CREATE,
                    citation,
                    ["document", *[k for k in serializer.validated_data if k != "document"]],
                    note="API",
                    about=incident,
                )
        except IntegrityError:
            raise serializers.ValidationError(
                {"document": "This incident already cites this document."}
            ) from None
        return Response(CitationWriteSerializer(citation).data, status=status.HTTP_201_CREATED)


class DocumentCreateView(EnglishView):
    @extend_schema(
        operation_id="documents_create",
        summary="Add a document (a source) to the workspace",
        request=DocumentWriteSerializer,
        responses={201: DocumentWriteSerializer},
    )
    def post(self, request: Request) -> Response:
        if not access.can(request, "create", Document):
            raise PermissionDenied("Your account has no organization: an admin gives it one.")
        serializer = DocumentWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            document = serializer.save(created_by=request.user)
            log.record(
                request.user, Action.CREATE, document, list(serializer.validated_data), note="API"
            )
        return Response(DocumentWriteSerializer(document).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------- statistics


class StatisticsView(EnglishView):
    @extend_schema(
        operation_id="statistics",
        summary="The numbers on /stats/",
        description="Counts of published incidents following the counting rules on /data/.",
        responses=StatisticsSerializer,
    )
    def get(self, request: Request) -> Response:
        numbers = stats.cached()
        return Response(
            StatisticsSerializer(
                {
                    "incidents": numbers.incidents,
                    "people": numbers.people,
                    "children_kidnapped_incidents": numbers.children_kidnapped_incidents,
                    "undated": numbers.undated,
                    "months": [
                        {
                            "month": m.month.strftime("%Y-%m"),
                            "count": m.count,
                            "running_total": m.running_total,
                        }
                        for m in numbers.months
                    ],
                    "breakdowns": [
                        {
                            "name": b.name,
                            "title": str(b.title),
                            "rows": [
                                {"code": r.code, "label": r.label, "count": r.count} for r in b.rows
                            ],
                        }
                        for b in numbers.breakdowns
                    ],
                    "note": STATISTICS_NOTE,
                }
            ).data
        )


# ---------------------------------------------------------------------------- vocabularies


class VocabularyListView(EnglishView):
    @extend_schema(
        operation_id="vocabularies_list",
        summary="The vocabularies (codes used by the search parameters)",
        responses=VocabularyIndexSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        index = [
            {
                "name": name,
                "url": request.build_absolute_uri(reverse("api:vocabulary", args=[name])),
                "csv": request.build_absolute_uri(reverse("exports:vocabulary", args=[name])),
                "count": model.objects.count(),
            }
            for name, model, _extra in formats.VOCABULARIES
        ]
        return Response(VocabularyIndexSerializer(index, many=True).data)


class VocabularyDetailView(EnglishView):
    @extend_schema(
        operation_id="vocabularies_retrieve",
        summary="One vocabulary: codes and labels in every language",
        responses=VocabularySerializer,
    )
    def get(self, request: Request, name: str) -> Response:
        if name not in formats.VOCABULARY_NAMES:
            raise NotFound("There is no such vocabulary.")
        columns = formats.vocabulary_columns(name)
        terms = [dict(zip(columns, row, strict=True)) for row in formats.vocabulary_rows(name)]
        return Response(VocabularySerializer({"name": name, "terms": terms}).data)


# ---------------------------------------------------------------------------- library


def library_record(item: public.PublicLibraryItem) -> dict[str, Any]:
    return {
        "slug": item.slug,
        "kind": item.kind,
        "title_en": item.title_en,
        "title_es": item.title_es,
        "summary_en": item.summary_en,
        "summary_es": item.summary_es,
        "publisher": item.publisher,
        "url": item.url,
        "date_published": formats.json_value(item.date_published),
        "language": item.language,
        "sha256": item.sha256,
        "media_type": item.media_type,
        "court": item.court,
        "docket_number": item.docket_number,
        "parties": item.parties,
        "filing_date": formats.json_value(item.filing_date),
        "lawsuit_status": item.lawsuit_status,
        "programs": [p.code for p in item.programs],
        "incident_count": item.incident_count,
        "incidents": f"{formats.site_url()}/api/v1/incidents/?document={item.document_id}",
        "page": f"{formats.site_url()}/resources/{item.slug}/",
        "is_demo": item.is_demo,
    }


class LibraryItemSerializer(serializers.Serializer):
    """A library item as `library_record` gives it."""

    slug = serializers.CharField()
    kind = serializers.CharField()
    title_en = serializers.CharField()
    title_es = serializers.CharField()
    summary_en = serializers.CharField()
    summary_es = serializers.CharField()
    publisher = serializers.CharField()
    url = serializers.CharField()
    date_published = serializers.DateField(allow_null=True)
    language = serializers.CharField()
    sha256 = serializers.CharField()
    media_type = serializers.CharField()
    court = serializers.CharField()
    docket_number = serializers.CharField()
    parties = serializers.CharField()
    filing_date = serializers.DateField(allow_null=True)
    lawsuit_status = serializers.CharField()
    programs = serializers.ListField(child=serializers.CharField())
    incident_count = serializers.IntegerField(allow_null=True)
    incidents = serializers.CharField()
    page = serializers.CharField()
    is_demo = serializers.BooleanField()


class LibraryPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = LibraryItemSerializer(many=True)


class LibraryCursor(CursorPagination):
    ordering = "-pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class LibraryListView(EnglishView):
    @extend_schema(
        operation_id="library_list",
        summary="The library: reports, investigations, lawsuits",
        parameters=[
            OpenApiParameter("cursor", str, description="Position, from `next` or `previous`."),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": LibraryCursor.max_page_size},
                description="Items per page (1 to 200; default 50).",
            ),
        ],
        responses={200: LibraryPageSerializer, 400: BAD_PARAMETER, 404: BAD_CURSOR},
    )
    def get(self, request: Request) -> Response:
        _check_paging(request, LibraryCursor.max_page_size)
        paginator = LibraryCursor()
        qs = public.with_incident_counts(public.library_items())
        page = paginator.paginate_queryset(qs, request, view=self) or []
        data = {
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "results": [library_record(i) for i in public.project_library(list(page))],
        }
        return Response(LibraryPageSerializer(data).data)


class LibraryDetailView(EnglishView):
    @extend_schema(
        operation_id="library_retrieve",
        summary="One library item",
        responses=LibraryItemSerializer,
    )
    def get(self, request: Request, slug: str) -> Response:
        item = public.library_item(slug)
        if item is None:
            raise NotFound("There is no such library item.")
        return Response(LibraryItemSerializer(library_record(item)).data)


class RootView(EnglishView):
    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        def url(name: str) -> str:
            return request.build_absolute_uri(reverse(name))

        return Response(
            {
                "incidents": url("api:incidents"),
                "statistics": url("api:statistics"),
                "vocabularies": url("api:vocabularies"),
                "library": url("api:library"),
                "schema": url("api:schema"),
                "docs": url("api:docs"),
                "data": f"{formats.site_url()}/data/",
                "license": formats.license_info(),
            }
        )
