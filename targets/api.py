"""REST API for targets. Thin: validate with a serializer, call one service or selector, serialize.

Errors come back as `{"error": "<中文>"}`: 400 bad input, 403 not allowed,
404 not visible, 409 when the target changed since the client read it, 428
when a write carries no version at all.

Concurrency: `GET /api/targets/{id}/` returns an `ETag` ("<id>-<version>").
Every write carries the version it saw, either as `If-Match: "<id>-<version>"`
(or a bare version number) or as a `version` field; a stale one changes
nothing and gets 409. Successful writes answer with the target and its new ETag.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import status
from rest_framework.generics import GenericAPIView, ListAPIView, RetrieveAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from config.api_errors import ErrorSerializer, MissingVersion
from config.parsing import MAX_ID, BadInteger, FormIntegerField, parse_id, parse_optional_int, parse_version
from targets import plausibility, selectors, services
from targets.health import HEALTH_LABELS
from targets.models import Department, Milestone, ProgressUpdate, Target, TargetEvent
from targets.serializers import (
    CancelSerializer,
    CommentCreateSerializer,
    DecisionSerializer,
    EscalateSerializer,
    EvidenceSerializer,
    ExtensionDecisionSerializer,
    MilestoneDoneSerializer,
    MilestoneSerializer,
    MilestoneWriteSerializer,
    ProgressCreateSerializer,
    ProgressUpdateSerializer,
    ReassignSerializer,
    RequestExtensionSerializer,
    RequestSignoffSerializer,
    TargetDetailSerializer,
    TargetEventSerializer,
    TargetListSerializer,
    TargetSerializer,
)

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
WRITE_ERRORS = {**ERRORS, 409: ErrorSerializer, 428: ErrorSerializer}
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description='读取时的 ETag（如 "12-5"）；也可在请求体中用 version 字段',
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="上次读取的 ETag；未变化时返回 304",
)
ETAG = OpenApiParameter(
    "ETag",
    str,
    location=OpenApiParameter.HEADER,
    response=[200, 304],
    description='任务的当前版本（如 "12-5"），写入时放在 If-Match 中',
)


def etag(target: Target) -> str:
    return f'"{target.pk}-{target.version}"'


def expected_version(request: Request, data: dict) -> int:
    """The version the writer saw: If-Match wins over the body's `version`."""
    header = request.headers.get("If-Match", "").strip()
    if header and header != "*":
        tag = header.split(",")[0].strip().removeprefix("W/").strip('"')
        prefix, _, number = tag.rpartition("-")  # "<target id>-<version>", or the version alone
        try:
            if prefix:
                parse_id(prefix)
            return parse_version(number)
        except BadInteger:
            raise ValidationError("If-Match 请求头格式无效，应为读取时的 ETag。") from None
    if data.get("version") is not None:
        return parse_version(data["version"])
    raise MissingVersion()


def with_etag(response: Response, target: Target) -> Response:
    response["ETag"] = etag(target)
    return response


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


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """A whole number (an id, a year) read by `config.parsing`: 0.5, ² or 1_000 answer 400."""

    field_class = FormIntegerField


class TargetFilter(django_filters.FilterSet):
    lifecycle = django_filters.ChoiceFilter(choices=Target.Lifecycle.choices)
    status = django_filters.ChoiceFilter(
        field_name="lifecycle", choices=Target.Lifecycle.choices, label="状态（同 lifecycle）"
    )
    department = IntegerFilter(method="filter_department", label="部门 id（牵头或责任单位）")
    # Bounded: a larger number would reach the database driver, which refuses it (a 500).
    organisation = IntegerFilter(field_name="organisation_id", label="组织 id", min_value=1, max_value=selectors.MAX_ID)
    plan_year = IntegerFilter()
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label="完成时限不晚于")

    class Meta:
        model = Target
        fields = ["lifecycle", "status", "department", "organisation", "plan_year", "due_before"]

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
        # Health is a stored-date comparison: filtered, ordered and paginated by the database at any date.
        queryset = selectors.with_health(self.filter_queryset(self.get_queryset()), on=today)
        if health:
            queryset = selectors.health_filter(queryset, on=today, health=health)
        page = self.paginate_queryset(queryset)
        # The same shape as serializer_class (which the schema documents), rendered without DRF's field machinery.
        serializer = TargetListSerializer(page, many=True, context={"request": request, "today": today})
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
        rows = selectors.overdue_queryset(self.filter_queryset(self.get_queryset()), on=today)
        page = self.paginate_queryset(rows)
        serializer = TargetListSerializer(page, many=True, context={"request": request, "today": today})
        return self.get_paginated_response(serializer.data)


class TargetDetailAPI(RetrieveAPIView):
    serializer_class = TargetDetailSerializer

    @extend_schema(
        summary="目标任务详情（含时间节点、进展和变更记录）",
        parameters=[IF_NONE_MATCH, ETAG],
        responses={
            200: TargetDetailSerializer,
            304: OpenApiResponse(description="未变化（If-None-Match 与当前 ETag 相同）"),
            404: ErrorSerializer,
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        target = selectors.target_visible_to(user=request.user, pk=pk)
        if request.headers.get("If-None-Match", "").strip() == etag(target):
            return with_etag(Response(status=status.HTTP_304_NOT_MODIFIED), target)
        return with_etag(Response(self.get_serializer(target).data), target)


class TargetProgressAPI(GenericAPIView):
    serializer_class = ProgressUpdateSerializer
    pagination_class = None
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    queryset = Target.objects.none()  # for the schema; rows come from the selector

    @extend_schema(summary="进展填报记录", responses={200: ProgressUpdateSerializer(many=True), 404: ErrorSerializer})
    def get(self, request: Request, pk: int) -> Response:
        target = selectors.target_visible_to(user=request.user, pk=pk)
        return Response(ProgressUpdateSerializer(target.updates.all(), many=True).data)

    @extend_schema(
        summary="填报进展（携带读取时的 version 或 If-Match；版本已变化返回 409）",
        request={"application/json": ProgressCreateSerializer, "multipart/form-data": ProgressCreateSerializer},
        parameters=[IF_MATCH],
        responses={201: ProgressUpdateSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        target = selectors.target_for_write(user=request.user, pk=pk)  # the row only: no history to load
        serializer = ProgressCreateSerializer(data=request.data)
        if not serializer.is_valid():
            return error_response(_first_message(serializer.errors))
        data = serializer.validated_data
        version = expected_version(request, data)  # errors (428, 400) and the service's: config.api_errors
        corrects = None
        if data.get("corrects"):
            corrects = ProgressUpdate.objects.filter(pk=data["corrects"], target=target).first()
            if corrects is None:
                return error_response("被更正的进展记录不存在。")
        doubts = plausibility.progress_doubts_for(
            request.user,
            target,
            value=data.get("value"),
            percent=data.get("percent"),
            corrects=corrects,
            expected_version=version,
        )
        if doubts and not data.get("confirm"):
            message = f"{plausibility.doubts_message(doubts)}。核对无误请带 confirm=true 重新提交。"
            return Response(
                {"error": message, "code": "implausible", "doubts": [d.code for d in doubts]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        update = services.progress_record(
            target=target,
            acting_user=request.user,
            value=data.get("value"),
            percent=data.get("percent"),
            note=data.get("note", ""),
            files=data.get("files") or [],
            expected_version=version,
            corrects=corrects,
        )
        return with_etag(Response(ProgressUpdateSerializer(update).data, status=status.HTTP_201_CREATED), target)


# --- workflow actions -------------------------------------------------------------------


def _run_write(request: Request, target: Target, call, *, created: bool = False) -> Response:
    """Run a service (its errors become statuses in config.api_errors); answer with the target as it now is."""
    call()
    fresh = selectors.target_detail(pk=target.pk)
    code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return with_etag(
        Response(TargetDetailSerializer(fresh, context={"request": request}).data, status=code), target=fresh
    )


class TargetActionAPI(GenericAPIView):
    """POST one decision on a target: validate, resolve the version, call one service."""

    queryset = Target.objects.none()  # for the schema; rows come from the selector
    pagination_class = None
    filter_backends: list = []
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    summary = ""

    def perform(self, request: Request, target: Target, data: dict) -> None:
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        target = selectors.target_visible_to(user=request.user, pk=pk)
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            return error_response(_first_message(serializer.errors))
        return _run_write(request, target, lambda: self.perform(request, target, serializer.validated_data))


def documented(cls: type[TargetActionAPI]) -> type[TargetActionAPI]:
    """Give an action class its own documented `post` (the schema reads the summary and input per class)."""

    def post(self, request: Request, pk: int) -> Response:
        return TargetActionAPI.post(self, request, pk)

    cls.post = extend_schema(
        summary=cls.summary,
        request={"application/json": cls.serializer_class, "multipart/form-data": cls.serializer_class},
        parameters=[IF_MATCH],
        responses={200: TargetDetailSerializer, **WRITE_ERRORS},
    )(post)
    return cls


@documented
class RequestExtensionAPI(TargetActionAPI):
    serializer_class = RequestExtensionSerializer
    summary = "申请延期（理由和新的完成时限）"

    def perform(self, request: Request, target: Target, data: dict) -> None:
        services.target_request_extension(
            target=target,
            acting_user=request.user,
            expected_version=expected_version(request, data),
            note=data["note"],
            new_due_date=data["new_due_date"],
        )


@documented
class DecideExtensionAPI(TargetActionAPI):
    serializer_class = ExtensionDecisionSerializer
    summary = "审批延期申请（批准或驳回）"

    def perform(self, request: Request, target: Target, data: dict) -> None:
        services.target_decide_extension(
            target=target,
            acting_user=request.user,
            approve=data["approve"],
            expected_version=expected_version(request, data),
            note=data.get("note", ""),
            new_due_date=data.get("new_due_date"),
        )


@documented
class RequestSignoffAPI(TargetActionAPI):
    serializer_class = RequestSignoffSerializer
    summary = "申请销号（可附佐证材料）"

    def perform(self, request: Request, target: Target, data: dict) -> None:
        services.target_request_signoff(
            target=target,
            acting_user=request.user,
            expected_version=expected_version(request, data),
            note=data.get("note", ""),
            files=data.get("files") or [],
        )


@documented
class DecideSignoffAPI(TargetActionAPI):
    serializer_class = DecisionSerializer
    summary = "审批销号申请（批准即销号；退回须说明理由）"

    def perform(self, request: Request, target: Target, data: dict) -> None:
        services.target_decide_signoff(
            target=target,
            acting_user=request.user,
            approve=data["approve"],
            expected_version=expected_version(request, data),
            note=data.get("note", ""),
        )


@documented
class EscalateAPI(TargetActionAPI):
    serializer_class = EscalateSerializer
    summary = "督办升级或解除"

    def perform(self, request: Request, target: Target, data: dict) -> None:
        services.target_escalate(
            target=target,
            acting_user=request.user,
            expected_version=expected_version(request, data),
            note=data.get("note", ""),
            escalate=data.get("escalate", True),
        )


@documented
class CancelAPI(TargetActionAPI):
    serializer_class = CancelSerializer
    summary = "取消任务（记录保留）"

    def perform(self, request: Request, target: Target, data: dict) -> None:
        services.target_cancel(
            target=target, acting_user=request.user, expected_version=expected_version(request, data), note=data["note"]
        )


@documented
class ReassignAPI(TargetActionAPI):
    serializer_class = ReassignSerializer
    summary = "调整牵头单位和责任单位"

    def perform(self, request: Request, target: Target, data: dict) -> None:
        ids = {data["lead_department"], *data.get("co_departments", [])}
        departments = {d.pk: d for d in Department.objects.filter(pk__in=ids)}
        if data["lead_department"] not in departments:
            raise ValidationError("牵头单位不存在。")
        services.target_reassign(
            target=target,
            acting_user=request.user,
            lead_department=departments[data["lead_department"]],
            co_departments=[departments[i] for i in data.get("co_departments", []) if i in departments],
            expected_version=expected_version(request, data),
            note=data.get("note", ""),
        )


class TargetCommentsAPI(GenericAPIView):
    """Comments, notes and evidence from anyone who can see the target; they do not change its version."""

    queryset = Target.objects.none()
    serializer_class = CommentCreateSerializer
    pagination_class = None
    filter_backends: list = []
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(summary="评论列表", responses={200: TargetEventSerializer(many=True), 404: ErrorSerializer})
    def get(self, request: Request, pk: int) -> Response:
        target = selectors.target_visible_to(user=request.user, pk=pk)
        comments = [e for e in target.events.all() if e.kind == TargetEvent.Kind.COMMENT]
        return Response(TargetEventSerializer(comments, many=True).data)

    @extend_schema(
        summary="发表评论或补充佐证材料（责任单位也可）",
        request={"application/json": CommentCreateSerializer, "multipart/form-data": CommentCreateSerializer},
        responses={201: TargetEventSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        target = selectors.target_visible_to(user=request.user, pk=pk)
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            return error_response(_first_message(serializer.errors))
        data = serializer.validated_data
        event = services.target_comment(
            target=target, acting_user=request.user, text=data.get("text", ""), files=data.get("files") or []
        )
        return Response(TargetEventSerializer(event).data, status=status.HTTP_201_CREATED)


class TargetEvidenceAPI(GenericAPIView):
    queryset = Target.objects.none()
    serializer_class = EvidenceSerializer
    pagination_class = None
    filter_backends: list = []
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="佐证材料列表（下载地址需登录并有权查看该任务）", responses={200: EvidenceSerializer(many=True)}
    )
    def get(self, request: Request, pk: int) -> Response:
        target = selectors.target_visible_to(user=request.user, pk=pk)
        return Response(EvidenceSerializer(target.evidence.all(), many=True).data)

    @extend_schema(
        summary="上传佐证材料（作为一条评论；图片、PDF、办公文档，大小和类型受限）",
        request={"multipart/form-data": CommentCreateSerializer},
        responses={201: EvidenceSerializer(many=True), **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        target = selectors.target_visible_to(user=request.user, pk=pk)
        serializer = CommentCreateSerializer(data=request.data)
        if not serializer.is_valid():
            return error_response(_first_message(serializer.errors))
        files = serializer.validated_data.get("files") or []
        if not files:
            return error_response("请选择要上传的文件。")
        event = services.target_comment(
            target=target, acting_user=request.user, text=serializer.validated_data.get("text", ""), files=files
        )
        return Response(EvidenceSerializer(event.evidence.all(), many=True).data, status=status.HTTP_201_CREATED)


class TargetMilestonesAPI(GenericAPIView):
    queryset = Target.objects.none()
    serializer_class = MilestoneWriteSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(summary="时间节点列表", responses={200: MilestoneSerializer(many=True), 404: ErrorSerializer})
    def get(self, request: Request, pk: int) -> Response:
        target = selectors.target_visible_to(user=request.user, pk=pk)
        return Response(MilestoneSerializer(target.milestones.all(), many=True).data)

    @extend_schema(
        summary="新增时间节点（管理员）",
        parameters=[IF_MATCH],
        request=MilestoneWriteSerializer,
        responses={201: TargetDetailSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        target = selectors.target_visible_to(user=request.user, pk=pk)
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            return error_response(_first_message(serializer.errors))
        data = serializer.validated_data
        return _run_write(
            request,
            target,
            lambda: services.milestone_create(
                target=target,
                acting_user=request.user,
                expected_version=expected_version(request, data),
                title=data["title"],
                due_date=data["due_date"],
                expected_percent=data.get("expected_percent"),
                expected_value=data.get("expected_value"),
            ),
            created=True,
        )


class MilestoneAPI(GenericAPIView):
    """One milestone: edit (PATCH) or cancel (DELETE: the row stays, marked cancelled, with an event)."""

    queryset = Milestone.objects.none()
    serializer_class = MilestoneWriteSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        summary="修改时间节点（管理员）",
        parameters=[IF_MATCH],
        request=MilestoneWriteSerializer(partial=True),
        responses={200: TargetDetailSerializer, **WRITE_ERRORS},
    )
    def patch(self, request: Request, pk: int) -> Response:
        milestone, target = selectors.milestone_visible_to(user=request.user, pk=pk)
        serializer = self.get_serializer(data=request.data, partial=True)
        if not serializer.is_valid():
            return error_response(_first_message(serializer.errors))
        data = dict(serializer.validated_data)
        changes = {k: v for k, v in data.items() if k != "version"}
        return _run_write(
            request,
            target,
            lambda: services.milestone_update(
                milestone=milestone,
                acting_user=request.user,
                expected_version=expected_version(request, data),
                **changes,
            ),
        )

    @extend_schema(
        summary="取消时间节点（不删除记录；版本用 If-Match 或 ?version=）",
        parameters=[IF_MATCH, OpenApiParameter("version", int, required=False)],
        request=None,
        responses={200: TargetDetailSerializer, **WRITE_ERRORS},
    )
    def delete(self, request: Request, pk: int) -> Response:
        milestone, target = selectors.milestone_visible_to(user=request.user, pk=pk)
        version = parse_optional_int(request.query_params.get("version"), label="版本号", maximum=MAX_ID)
        data = {} if version is None else {"version": version}
        return _run_write(
            request,
            target,
            lambda: services.milestone_cancel(
                milestone=milestone,
                acting_user=request.user,
                expected_version=expected_version(request, data),
                note=request.query_params.get("note", ""),
            ),
        )


class MilestoneDoneAPI(GenericAPIView):
    queryset = Milestone.objects.none()
    serializer_class = MilestoneDoneSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        summary="标记时间节点完成（牵头单位）",
        parameters=[IF_MATCH],
        responses={200: TargetDetailSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        milestone, target = selectors.milestone_visible_to(user=request.user, pk=pk)
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            return error_response(_first_message(serializer.errors))
        data = serializer.validated_data
        return _run_write(
            request,
            target,
            lambda: services.milestone_mark_done(
                milestone=milestone,
                acting_user=request.user,
                done_on=data.get("done_on"),
                expected_version=expected_version(request, data),
            ),
        )
