"""REST API for targets. Thin: validate with a serializer, call one service or selector, serialize.

Errors come back as `{"error": "<中文>"}`: 400 bad input, 403 not allowed,
404 not visible, 409 when the target changed since the client read it.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView, ListAPIView, RetrieveAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from targets import permissions, selectors, services
from targets.health import HEALTH_LABELS
from targets.models import ProgressUpdate, Target
from targets.serializers import (
    ErrorSerializer,
    ProgressCreateSerializer,
    ProgressUpdateSerializer,
    TargetDetailSerializer,
    TargetSerializer,
)

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


def error_response(message: str, code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    return Response({"error": message}, status=code)


def _first_message(errors) -> str:
    if isinstance(errors, ValidationError):
        return "；".join(errors.messages)
    if isinstance(errors, dict):
        for value in errors.values():
            return _first_message(value)
    if isinstance(errors, list | tuple) and errors:
        return _first_message(errors[0])
    return str(errors)


class TargetFilter(django_filters.FilterSet):
    lifecycle = django_filters.ChoiceFilter(choices=Target.Lifecycle.choices)
    department = django_filters.NumberFilter(method="filter_department", label="部门 id（牵头或责任单位）")
    organisation = django_filters.NumberFilter(field_name="organisation_id", label="组织 id")
    plan_year = django_filters.NumberFilter()
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label="完成时限不晚于")

    class Meta:
        model = Target
        fields = ["lifecycle", "department", "organisation", "plan_year", "due_before"]

    def filter_department(self, queryset, name, value):
        return selectors.filter_targets(queryset, department=value)


HEALTH_PARAM = OpenApiParameter(
    "health", str, enum=list(HEALTH_LABELS), description="健康度（按当天计算）：overdue/at_risk/due_soon/on_track"
)


class TargetListAPI(ListAPIView):
    """Targets the user may see, their own department's first; health computed for today."""

    serializer_class = TargetSerializer
    filterset_class = TargetFilter

    def get_queryset(self):
        return selectors.targets_for_user(user=self.request.user)

    @extend_schema(summary="目标任务列表", parameters=[HEALTH_PARAM])
    def get(self, request: Request, *args, **kwargs) -> Response:
        health = request.query_params.get("health")
        if health and health not in HEALTH_LABELS:
            return error_response("health 参数无效，可选：overdue、at_risk、due_soon、on_track。")
        today = timezone.localdate()
        rows = selectors.targets_with_health(self.filter_queryset(self.get_queryset()), on=today, health=health)
        page = self.paginate_queryset(rows)
        serializer = self.get_serializer(page, many=True, context={"request": request, "today": today})
        return self.get_paginated_response(serializer.data)


class TargetOverdueAPI(ListAPIView):
    """Open targets that are red today (a due date or milestone passed, not met)."""

    serializer_class = TargetSerializer
    filterset_class = TargetFilter

    def get_queryset(self):
        return selectors.targets_visible(user=self.request.user)

    @extend_schema(summary="已逾期的目标任务")
    def get(self, request: Request, *args, **kwargs) -> Response:
        today = timezone.localdate()
        rows = selectors.targets_overdue(on=today, queryset=self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class TargetDetailAPI(RetrieveAPIView):
    serializer_class = TargetDetailSerializer

    @extend_schema(
        summary="目标任务详情（含时间节点、进展和变更记录）",
        responses={200: TargetDetailSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        target = _visible_target(request, pk)
        return Response(self.get_serializer(target).data)


class TargetProgressAPI(GenericAPIView):
    serializer_class = ProgressUpdateSerializer
    pagination_class = None
    queryset = Target.objects.none()  # for the schema; rows come from the selector

    @extend_schema(summary="进展填报记录", responses={200: ProgressUpdateSerializer(many=True), 404: ErrorSerializer})
    def get(self, request: Request, pk: int) -> Response:
        target = _visible_target(request, pk)
        return Response(ProgressUpdateSerializer(target.updates.all(), many=True).data)

    @extend_schema(
        summary="填报进展（携带读取时的 version；版本已变化返回 409）",
        request=ProgressCreateSerializer,
        responses={201: ProgressUpdateSerializer, 409: ErrorSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        target = _visible_target(request, pk)
        serializer = ProgressCreateSerializer(data=request.data)
        if not serializer.is_valid():
            return error_response(_first_message(serializer.errors))
        data = serializer.validated_data
        corrects = None
        if data.get("corrects"):
            corrects = ProgressUpdate.objects.filter(pk=data["corrects"], target=target).first()
            if corrects is None:
                return error_response("被更正的进展记录不存在。")
        try:
            update = services.progress_record(
                target=target,
                acting_user=request.user,
                value=data.get("value"),
                percent=data.get("percent"),
                note=data.get("note", ""),
                expected_version=data["version"],
                corrects=corrects,
            )
        except services.StaleVersionError as error:
            return error_response(str(error), status.HTTP_409_CONFLICT)
        except PermissionDenied as error:
            return error_response(str(error) or "您没有权限填报该任务的进展。", status.HTTP_403_FORBIDDEN)
        except ValidationError as error:
            return error_response(_first_message(error))
        return Response(ProgressUpdateSerializer(update).data, status=status.HTTP_201_CREATED)


def _visible_target(request: Request, pk: int) -> Target:
    try:
        target = selectors.target_detail(pk=pk)
    except Target.DoesNotExist:
        raise Http404 from None
    if not permissions.can_view_target(request.user, target):
        raise Http404
    return target
