"""The endpoints under /api/v1/: the templates a token's user may see, their rendered domain
XML, and import. The access rules are builder.library.access's, as in the pages."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError

from builder.domainxml import assemble
from builder.domainxml.parse import XMLInputError
from builder.library import access, editing, publishing, rendering, services
from builder.library.models import DomainTemplate

from .auth import SCHEME, TokenAuth

api = NinjaAPI(
    title="Domain Builder API",
    version="1",
    description=(
        f"Every endpoint needs the header `Authorization: {SCHEME} TOKEN`; "
        "make a token on your account page or with `manage.py api_token USERNAME`. "
        "A token that is unknown, revoked or expired gets 401; a read-only token gets 403 on anything but GET. "
        "Changing your password revokes all your tokens."
    ),
    auth=TokenAuth(),
    urls_namespace="api-1",
)

XML_TYPES = ("application/xml", "text/xml")
RESERVED = "revision"  # a query key of domain.xml that is never a template parameter


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    response = api.create_response(request, {"detail": exc.message}, status=401)
    response["WWW-Authenticate"] = SCHEME
    return response


class Parameter(Schema):
    name: str
    default: str = ""


class TemplateOut(Schema):
    id: int
    name: str
    description: str
    owner: str | None
    team: str | None
    visibility: str
    domain_type: str
    vcpus: int | None
    memory_kib: int | None
    parameters: list[Parameter]
    latest_revision: int | None
    published_revision: int | None
    updated: datetime


class Detail(Schema):
    detail: str


class Problem(Schema):
    level: str
    path: str
    message: str


class Invalid(Schema):
    errors: list[Problem]
    missing: list[str]
    unknown: list[str] = []


class Error(Schema):
    error: str


class Imported(Schema):
    id: int
    name: str
    warnings: list[str]


def _templates(user):
    return (
        access.visible(DomainTemplate.objects.all(), user)
        .select_related("owner", "team", "published")
        .annotate(latest_revision=Max("revisions__number"))
    )


def _out(t: DomainTemplate) -> dict:
    return {
        "id": t.pk,
        "name": t.name,
        "description": t.description,
        "owner": t.owner.get_username() if t.owner_id else None,
        "team": t.team.name if t.team_id else None,
        "visibility": t.visibility,
        "domain_type": t.domain_type,
        "vcpus": t.vcpus,
        "memory_kib": t.memory_kib,
        "parameters": [{"name": p["name"], "default": p.get("default", "")} for p in t.parameters],
        "latest_revision": t.latest_revision,
        "published_revision": t.published.number if t.published_id else None,
        "updated": t.updated,
    }


def _get(request, template_id: int) -> DomainTemplate:
    # Http404 both for a missing template and for one not shared with the user: existence is not told.
    return access.get_or_404(_templates(request.auth), request.auth, pk=template_id)


@api.get("/templates/", response=list[TemplateOut], summary="The templates you may see")
def list_templates(request: HttpRequest):
    return [_out(t) for t in _templates(request.auth)]


@api.get("/templates/{int:template_id}/", response={200: TemplateOut, 404: Detail}, summary="One template")
def get_template(request: HttpRequest, template_id: int):
    return _out(_get(request, template_id))


def _invalid(errors: list[dict], missing: list[str] = (), unknown: list[str] = ()) -> JsonResponse:
    return JsonResponse({"errors": errors, "missing": list(missing), "unknown": list(unknown)}, status=422)


@api.get(
    "/templates/{int:template_id}/domain.xml",
    response={404: Detail, 422: Invalid},  # 200: the XML itself, described below
    summary="Render one guest's domain XML",
    description=(
        "Query parameters: the template's declared parameters (`?name=web7`), and `revision`: "
        "`draft`, `published` or a revision number (default: the published revision, else the draft). "
        "A fresh uuid and MACs are made on every call. 422 when the result is not a domain libvirt "
        "accepts as it is, or a parameter has no value."
    ),
    openapi_extra={
        "responses": {
            200: {"description": "The domain XML", "content": {"application/xml": {"schema": {"type": "string"}}}}
        }
    },
)
def domain_xml(request: HttpRequest, template_id: int):
    template = _get(request, template_id)
    try:
        version = publishing.version(template, request.GET.get(RESERVED))
    except publishing.NoSuchVersion as e:
        return api.create_response(request, {"detail": str(e)}, status=404)
    declared = {p["name"] for p in version.parameters}
    # `name` always works: the domain's own <name>, unless the template declares a parameter of that name.
    rename = request.GET.get("name") if "name" not in declared else None
    unknown = sorted(k for k in request.GET if k not in (RESERVED, "name") and k not in declared)
    if unknown:
        errors = [
            {"level": "error", "path": f"?{k}", "message": f"{k!r} is not a parameter of this template"}
            for k in unknown
        ]
        return _invalid(errors, unknown=unknown)
    values = {k: request.GET[k] for k in request.GET if k in declared}
    rendered = rendering.render_instance(template, values, None, version=version)
    if rename is not None:
        try:
            editing.set_domain_name(rendered.root, rename)
        except ValueError as e:
            return _invalid([{"level": "error", "path": "?name", "message": str(e)}])
    errors = [
        {"level": p.level, "path": p.path, "message": p.message}
        for p in services.check(rendered.root)
        if p.level == "error"
    ]
    if errors or rendered.missing:
        errors += [
            {"level": "error", "path": "", "message": f"parameter {name!r} has no value and no default"}
            for name in rendered.missing
        ]
        return _invalid(errors, rendered.missing)
    return HttpResponse(assemble.to_string(rendered.root) + "\n", content_type="application/xml; charset=utf-8")


@api.post(
    "/templates/import",
    response={201: Imported, 400: Error, 403: Detail, 413: Error, 415: Error},  # 403: a read-only token
    summary="Import one domain XML document as a new private template",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {t: {"schema": {"type": "string", "format": "xml"}} for t in XML_TYPES},
        }
    },
)
def import_template(request: HttpRequest):
    if request.content_type not in XML_TYPES:
        return Status(415, {"error": f"send the XML itself with Content-Type: {XML_TYPES[0]}"})
    limit = settings.MAX_XML_BYTES
    too_big = {"error": f"the XML is larger than the limit of {limit:,} bytes"}
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return Status(400, {"error": "the Content-Length header is not a number"})
    if length > limit:
        return Status(413, too_big)  # refused before a byte of it is read
    data = request.read(limit + 1)  # the stream stops at Content-Length; this bounds it anyway
    if len(data) > limit:
        return Status(413, too_big)
    try:
        imported = services.import_domain(data, owner=request.auth, fallback_name="imported")
    except XMLInputError as e:
        return Status(400, {"error": str(e)})
    return Status(201, {"id": imported.template.pk, "name": imported.template.name, "warnings": imported.warnings})
