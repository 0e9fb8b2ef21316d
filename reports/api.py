"""REST API for reports and their review. Thin: validate, call one service or selector, serialize.

Errors come back as `{"error": "<中文>"}` (400 bad input, 403 not allowed, 404 not visible).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from config.api_errors import ErrorSerializer
from config.parsing import BadInteger, parse_id
from reports import selectors, services
from reports.models import Commitment, Report
from reports.serializers import (
    AcceptAllResultSerializer,
    AchievementSerializer,
    CommitmentAcceptSerializer,
    CommitmentRejectSerializer,
    CommitmentSerializer,
    CommitmentUpdateSerializer,
    ReportDetailSerializer,
    ReportSerializer,
    ReportUploadSerializer,
)
from targets import permissions

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
NOT_ALLOWED = "您没有权限管理该组织的报告和承诺事项。"


def error_response(message: str, code: int = status.HTTP_400_BAD_REQUEST, **extra) -> Response:
    return Response({"error": message, **extra}, status=code)


def validation_message(errors) -> str:
    """The first human message of a DRF or Django validation error, for the `error` field."""
    if isinstance(errors, ValidationError):
        errors = errors.message_dict if hasattr(errors, "error_dict") else {"": errors.messages}
    if isinstance(errors, dict):
        for value in errors.values():
            return validation_message(value)
    if isinstance(errors, list | tuple) and errors:
        return validation_message(errors[0])
    return str(errors)


def _report_or_404(request: Request, pk: int) -> Report:
    report = selectors.report_get_visible(user=request.user, pk=pk)
    if report is None:
        raise Http404
    return report


def _commitment_or_404(request: Request, pk: int) -> Commitment:
    commitment = selectors.commitment_get_visible(user=request.user, pk=pk)
    if commitment is None:
        raise Http404
    return commitment


def _can_manage(request: Request, organisation) -> bool:
    return permissions.can_manage_organisation(request.user, organisation)


class ReportListCreateAPI(GenericAPIView):
    serializer_class = ReportSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.reports_visible(user=self.request.user)

    @extend_schema(
        summary="报告列表（当前用户可查看的组织）",
        parameters=[OpenApiParameter("organisation", OpenApiTypes.INT, description="组织 id")],
        responses=ReportSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        reports = self.get_queryset()
        organisation = request.query_params.get("organisation")
        if organisation:
            try:
                organisation_id = parse_id(organisation, label="组织 id")
            except BadInteger as error:
                return error_response(error.message)
            reports = reports.filter(organisation_id=organisation_id)
        page = self.paginate_queryset(reports)
        return self.get_paginated_response(ReportSerializer(page, many=True).data)

    @extend_schema(
        summary="上传并导入报告",
        request={"multipart/form-data": ReportUploadSerializer},
        responses={201: ReportSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        upload = ReportUploadSerializer(data=request.data)
        # Another organisation's id answers like a missing one ("组织不存在。"), not 403: nothing about it leaks.
        upload.fields["organisation"].queryset = permissions.visible_organisations(request.user)
        if not upload.is_valid():
            return error_response(validation_message(upload.errors), fields=upload.errors)
        organisation = upload.validated_data["organisation"]
        if not _can_manage(request, organisation):
            return error_response(NOT_ALLOWED, status.HTTP_403_FORBIDDEN)
        file = upload.validated_data["file"]
        try:
            report = services.report_import(
                organisation=organisation,
                filename=file.name,
                data=file.read(),
                acting_user=request.user,
                year=upload.validated_data.get("year"),
            )
        except services.ReportImportError as error:
            return error_response(error.message)
        report = selectors.report_get_visible(user=request.user, pk=report.pk)
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


class ReportDetailAPI(GenericAPIView):
    queryset = Report.objects.none()  # schema only: rows are read through selectors
    serializer_class = ReportDetailSerializer

    @extend_schema(summary="报告详情（含正文和章节）", responses={200: ReportDetailSerializer, 404: ErrorSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(ReportDetailSerializer(_report_or_404(request, pk)).data)


class ReportCommitmentsAPI(GenericAPIView):
    queryset = Report.objects.none()  # schema only: rows are read through selectors
    serializer_class = CommitmentSerializer

    @extend_schema(
        summary="报告中提取的承诺事项",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=Commitment.Status.values, description="审核状态"),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=Commitment.Kind.values, description="类型"),
        ],
        responses=CommitmentSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        report = _report_or_404(request, pk)
        status_filter = request.query_params.get("status") or None
        kind = request.query_params.get("kind") or None
        if status_filter and status_filter not in Commitment.Status.values:
            return error_response(f"无效的审核状态：{status_filter}。")
        if kind and kind not in Commitment.Kind.values:
            return error_response(f"无效的类型：{kind}。")
        commitments = selectors.report_commitments(report=report, status=status_filter, kind=kind)
        page = self.paginate_queryset(commitments)
        return self.get_paginated_response(CommitmentSerializer(page, many=True).data)


class ReportAchievementsAPI(GenericAPIView):
    queryset = Report.objects.none()  # schema only: rows are read through selectors
    serializer_class = AchievementSerializer

    @extend_schema(summary="报告中提取的成效", responses=AchievementSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        report = _report_or_404(request, pk)
        page = self.paginate_queryset(selectors.report_achievements(report=report))
        return self.get_paginated_response(AchievementSerializer(page, many=True).data)


class ReportAcceptAllAPI(GenericAPIView):
    queryset = Report.objects.none()  # schema only: rows are read through selectors
    serializer_class = AcceptAllResultSerializer

    @extend_schema(
        summary="采纳报告中全部待审核的承诺事项",
        request=None,
        responses={200: AcceptAllResultSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        report = _report_or_404(request, pk)
        if not _can_manage(request, report.organisation):
            return error_response(NOT_ALLOWED, status.HTTP_403_FORBIDDEN)
        try:
            targets = services.commitments_accept_all(report=report, acting_user=request.user)
        except ValidationError as error:
            return error_response(validation_message(error))
        rows = [{"target_id": t.pk, "commitment_id": t.commitment_id} for t in targets]
        return Response({"accepted": len(rows), "targets": rows})


class CommitmentDetailAPI(GenericAPIView):
    queryset = Commitment.objects.none()  # schema only: rows are read through selectors
    serializer_class = CommitmentSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(summary="承诺事项详情", responses={200: CommitmentSerializer, 404: ErrorSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(CommitmentSerializer(_commitment_or_404(request, pk)).data)

    @extend_schema(
        summary="修改待审核的承诺事项",
        request=CommitmentUpdateSerializer,
        responses={200: CommitmentSerializer, **ERRORS},
    )
    def patch(self, request: Request, pk: int) -> Response:
        commitment = _commitment_or_404(request, pk)
        if not _can_manage(request, commitment.report.organisation):
            return error_response(NOT_ALLOWED, status.HTTP_403_FORBIDDEN)
        changes = CommitmentUpdateSerializer(data=request.data, partial=True)
        if not changes.is_valid():
            return error_response(validation_message(changes.errors), fields=changes.errors)
        try:
            services.commitment_update(commitment=commitment, acting_user=request.user, **changes.validated_data)
        except ValidationError as error:
            return error_response(validation_message(error))
        return Response(CommitmentSerializer(commitment).data)


class CommitmentAcceptAPI(GenericAPIView):
    queryset = Commitment.objects.none()  # schema only: rows are read through selectors
    serializer_class = CommitmentAcceptSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        summary="采纳承诺事项，生成目标任务",
        request=CommitmentAcceptSerializer,
        responses={
            201: inline_serializer(
                "CommitmentAccepted", {"target_id": serializers.IntegerField(), "commitment": CommitmentSerializer()}
            ),
            **ERRORS,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        commitment = _commitment_or_404(request, pk)
        if not _can_manage(request, commitment.report.organisation):
            return error_response(NOT_ALLOWED, status.HTTP_403_FORBIDDEN)
        choice = CommitmentAcceptSerializer(data=request.data)
        if not choice.is_valid():
            return error_response(validation_message(choice.errors), fields=choice.errors)
        try:
            target = services.commitment_accept(
                commitment=commitment,
                acting_user=request.user,
                lead_department=choice.validated_data.get("lead_department"),
                co_departments=choice.validated_data.get("co_departments", ()),
                due_date=choice.validated_data.get("due_date"),
            )
        except ValidationError as error:
            return error_response(validation_message(error))
        except PermissionDenied as error:
            return error_response(str(error) or NOT_ALLOWED, status.HTTP_403_FORBIDDEN)
        commitment.refresh_from_db()
        return Response(
            {"target_id": target.pk, "commitment": CommitmentSerializer(commitment).data},
            status=status.HTTP_201_CREATED,
        )


class CommitmentRejectAPI(GenericAPIView):
    queryset = Commitment.objects.none()  # schema only: rows are read through selectors
    serializer_class = CommitmentRejectSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        summary="驳回承诺事项（须填写理由）",
        request=CommitmentRejectSerializer,
        responses={200: CommitmentSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        commitment = _commitment_or_404(request, pk)
        if not _can_manage(request, commitment.report.organisation):
            return error_response(NOT_ALLOWED, status.HTTP_403_FORBIDDEN)
        reason = CommitmentRejectSerializer(data=request.data)
        if not reason.is_valid():
            return error_response(validation_message(reason.errors), fields=reason.errors)
        try:
            services.commitment_reject(
                commitment=commitment, acting_user=request.user, reason=reason.validated_data["reason"]
            )
        except ValidationError as error:
            return error_response(validation_message(error))
        return Response(CommitmentSerializer(commitment).data)
