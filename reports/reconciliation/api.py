"""REST API of the year-end reconciliation (`/api/reconciliations/`). Thin: validate, call a service, serialize.

Errors come back as `{"error": "<中文>"}` (400 bad input, 403 not allowed, 404 not visible).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from config.api_errors import ErrorSerializer
from config.parsing import parse_id
from reports.api import error_response, validation_message
from reports.models import Reconciliation, Report
from reports.reconciliation import export, selectors, services
from reports.reconciliation.serializers import (
    ReconciliationConfirmSerializer,
    ReconciliationOverrideSerializer,
    ReconciliationRunSerializer,
    ReconciliationSerializer,
)
from targets import permissions
from targets.models import Organisation

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILTERS = [
    OpenApiParameter("organisation", OpenApiTypes.INT, description="组织 id"),
    OpenApiParameter("year", OpenApiTypes.INT, description="核对年度"),
    OpenApiParameter(
        "verdict",
        OpenApiTypes.STR,
        enum=Reconciliation.Verdict.values,
        description="核对结论：met / partly_met / missed / no_evidence / contradicted",
    ),
]


def _int_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    return parse_id(raw, label=f"参数 {name}")


def _filtered(request: Request):
    rows = selectors.reconciliations_visible(user=request.user)
    organisation, year = _int_param(request, "organisation"), _int_param(request, "year")
    rows = selectors.reconciliations_for(queryset=rows, year=year)
    if organisation is not None:
        rows = rows.filter(target__organisation_id=organisation)
    verdict = request.query_params.get("verdict")
    if verdict:
        if verdict not in Reconciliation.Verdict.values:
            raise ValueError(f"核对结论“{verdict}”无效。")
        rows = rows.filter(verdict=verdict)
    return rows


class ReconciliationListAPI(GenericAPIView):
    serializer_class = ReconciliationSerializer

    def get_queryset(self):
        return selectors.reconciliations_visible(user=self.request.user)

    @extend_schema(summary="年终核对结果列表", parameters=FILTERS, responses=ReconciliationSerializer(many=True))
    def get(self, request: Request) -> Response:
        try:
            rows = _filtered(request)
        except ValueError as error:
            return error_response(str(error))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ReconciliationSerializer(page, many=True).data)

    @extend_schema(
        summary="运行年终核对（为该组织该年度的每项目标生成建议结论）",
        request=ReconciliationRunSerializer,
        responses={201: ReconciliationSerializer(many=True), **ERRORS},
    )
    def post(self, request: Request) -> Response:
        form = ReconciliationRunSerializer(data=request.data)
        if not form.is_valid():
            return error_response(validation_message(form.errors), fields=form.errors)
        data = form.validated_data
        organisation = permissions.visible_organisations(request.user).filter(pk=data["organisation"]).first()
        if organisation is None:
            return error_response("找不到该组织。", status.HTTP_404_NOT_FOUND)
        report = None
        if data.get("report"):
            report = Report.objects.filter(pk=data["report"], organisation=organisation).first()
            if report is None:
                return error_response("找不到该组织的这份报告。", status.HTTP_404_NOT_FOUND)
        try:
            services.reconciliation_run(
                organisation=organisation, year=data["year"], report=report, acting_user=request.user
            )
        except PermissionDenied as error:
            return error_response(str(error), status.HTTP_403_FORBIDDEN)
        except services.ReconciliationError as error:
            return error_response(error.messages[0])
        rows = selectors.reconciliations_for(organisation=organisation, year=data["year"])
        return Response(ReconciliationSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)


def _row_or_404(request: Request, pk: int) -> Reconciliation:
    row = (
        selectors.reconciliations_for(queryset=selectors.reconciliations_visible(user=request.user))
        .filter(pk=pk)
        .first()
    )
    if row is None:
        raise Http404
    return row


class ReconciliationDetailAPI(GenericAPIView):
    serializer_class = ReconciliationSerializer

    @extend_schema(summary="一项年终核对结果（含匹配依据与候选）", responses={200: ReconciliationSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return Response(ReconciliationSerializer(_row_or_404(request, pk)).data)


class ReconciliationConfirmAPI(GenericAPIView):
    serializer_class = ReconciliationConfirmSerializer

    @extend_schema(
        summary="确认建议结论（督查人员）",
        request=ReconciliationConfirmSerializer,
        responses={200: ReconciliationSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        row = _row_or_404(request, pk)
        form = ReconciliationConfirmSerializer(data=request.data)
        if not form.is_valid():
            return error_response(validation_message(form.errors), fields=form.errors)
        return _decide(request, row, verdict=None, reason=form.validated_data["reason"])


class ReconciliationOverrideAPI(GenericAPIView):
    serializer_class = ReconciliationOverrideSerializer

    @extend_schema(
        summary="改判核对结论（督查人员，必须填写理由）",
        request=ReconciliationOverrideSerializer,
        responses={200: ReconciliationSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        row = _row_or_404(request, pk)
        form = ReconciliationOverrideSerializer(data=request.data)
        if not form.is_valid():
            return error_response(validation_message(form.errors), fields=form.errors)
        return _decide(request, row, **form.validated_data)


def _decide(request: Request, row: Reconciliation, *, verdict: str | None, reason: str) -> Response:
    try:
        services.reconciliation_confirm(reconciliation=row, acting_user=request.user, verdict=verdict, reason=reason)
    except PermissionDenied as error:
        return error_response(str(error), status.HTTP_403_FORBIDDEN)
    except services.ReconciliationError as error:
        return error_response(error.messages[0])
    return Response(ReconciliationSerializer(_row_or_404(request, row.pk)).data)


class ReconciliationExportAPI(GenericAPIView):
    serializer_class = ReconciliationSerializer

    @extend_schema(
        summary="导出任务台账（Excel）",
        parameters=FILTERS,
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="任务台账 .xlsx"), **ERRORS},
    )
    def get(self, request: Request) -> HttpResponse:
        try:
            rows = list(_filtered(request))
        except ValueError as error:
            return error_response(str(error))
        organisation_id = _int_param(request, "organisation")
        organisation = None
        if organisation_id:
            # Another organisation's id answers like a missing one: its name must not reach the file name.
            organisation = permissions.visible_organisations(request.user).filter(pk=organisation_id).first()
            if organisation is None:
                return error_response("找不到该组织。", status.HTTP_404_NOT_FOUND)
        return workbook_response(rows, organisation=organisation, year=_int_param(request, "year"))


def workbook_response(rows, *, organisation: Organisation | None, year: int | None) -> HttpResponse:
    from urllib.parse import quote

    title = " ".join(x for x in [organisation.name if organisation else "", f"{year}年" if year else ""] if x)
    name = f"{title or '年终核对'}任务台账.xlsx".replace(" ", "")
    response = HttpResponse(export.ledger_workbook(rows, title=title), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''{quote(name)}"
    return response
