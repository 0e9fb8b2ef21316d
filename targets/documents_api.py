"""REST for the office's documents: import a 任务台账, download a 督查通报, issue and download a 督办通知单.

Thin like the rest of the API: a serializer validates, one function of `targets.documents` does the work, and
errors answer `{"error": "<中文>"}` (row errors of an import add `rows`: [{"row": n, "reason": "..."}]).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from config.api_errors import ErrorSerializer
from config.parsing import BadInteger, parse_int
from targets import permissions, selectors
from targets.documents.bulletin import bulletin_document
from targets.documents.ledger_import import LedgerMappingError, LedgerRowsError, ledger_check, ledger_import
from targets.documents.ledger_read import (
    FIELD_LABELS,
    MAX_BYTES,
    LedgerFileError,
    guess_mapping,
    guess_plan_year,
    read_ledger,
)
from targets.documents.notice import notice_docx, notice_filename, notice_issue
from targets.documents.periods import PeriodError, parse_period
from targets.documents_views import DOCX, attachment
from targets.models import SupervisionNotice

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


class LedgerImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="任务台账 .xlsx / .xls / .csv")
    organisation = serializers.IntegerField(min_value=1, max_value=selectors.MAX_ID, help_text="组织 id")
    plan_year = serializers.IntegerField(
        min_value=2000, max_value=2100, required=False, help_text="计划年度（默认取标题或日期中的年份）"
    )
    skip_rows = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=10**6), required=False, max_length=500
    )
    mapping = serializers.DictField(
        child=serializers.ChoiceField(choices=list(FIELD_LABELS)),
        required=False,
        help_text="列号（从 0 起）→ 字段；不给时按表头猜测",
    )
    dry_run = serializers.BooleanField(default=False, help_text="只检查，不导入")


class LedgerRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    reason = serializers.CharField()


class LedgerImportResultSerializer(serializers.Serializer):
    header_row = serializers.IntegerField()
    mapping = serializers.DictField(child=serializers.CharField())
    plan_year = serializers.IntegerField()
    to_create = serializers.IntegerField()
    created = serializers.ListField(child=serializers.IntegerField(), help_text="新建任务的 id")
    existing = serializers.ListField(child=serializers.DictField())
    headings = serializers.ListField(child=serializers.DictField())
    skipped = serializers.ListField(child=serializers.IntegerField())
    dry_run = serializers.BooleanField()


class LedgerImportErrorSerializer(ErrorSerializer):
    rows = LedgerRowErrorSerializer(many=True, required=False)


class LedgerImportAPI(GenericAPIView):
    """Import a 任务台账: every row checked first; any bad row not skipped: 400 with the rows, nothing saved."""

    serializer_class = LedgerImportSerializer
    parser_classes = [MultiPartParser, FormParser]
    queryset = SupervisionNotice.objects.none()  # for the browsable API and the schema; rows come from selectors
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        summary="导入任务台账",
        request={"multipart/form-data": LedgerImportSerializer},
        responses={
            200: LedgerImportResultSerializer,
            400: LedgerImportErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            return _error(_first(serializer.errors))
        data = serializer.validated_data
        organisation = permissions.visible_organisations(request.user).filter(pk=data["organisation"]).first()
        if organisation is None:
            return _error("找不到该组织。", status.HTTP_404_NOT_FOUND)
        if not permissions.can_manage_organisation(request.user, organisation):
            return _error("只有本单位管理员可以导入任务台账。", status.HTTP_403_FORBIDDEN)
        file = data["file"]
        if file.size > MAX_BYTES:
            return _error(f"文件超过 {MAX_BYTES // (1024 * 1024)} MB，请拆分后导入。")
        try:
            table = read_ledger(file.read(), file.name)
            mapping = _mapping(data.get("mapping"), table.headers)
            plan_year = data.get("plan_year") or guess_plan_year(table, timezone.localdate().year)
            check = ledger_check(
                table=table,
                mapping=mapping,
                organisation=organisation,
                plan_year=plan_year,
                skip_rows=set(data.get("skip_rows") or []),
            )
            if check.errors:
                raise LedgerRowsError(check.errors)
            created = (
                []
                if data["dry_run"]
                else ledger_import(
                    check=check,
                    organisation=organisation,
                    plan_year=plan_year,
                    acting_user=request.user,
                    source=file.name,
                )
            )
        except (LedgerFileError, LedgerMappingError) as error:
            return _error(str(error))
        except LedgerRowsError as error:
            return Response({"error": str(error), "rows": error.errors}, status=status.HTTP_400_BAD_REQUEST)
        except PermissionDenied as error:
            return _error(str(error), status.HTTP_403_FORBIDDEN)
        return Response(
            {
                "header_row": table.header_row,
                "mapping": {str(i): name for i, name in sorted(mapping.items())},
                "plan_year": plan_year,
                "to_create": len(check.planned),
                "created": [t.pk for t in created],
                "existing": check.existing,
                "headings": check.headings,
                "skipped": check.skipped,
                "dry_run": data["dry_run"],
            }
        )


def _mapping(given: dict | None, headers: list[str]) -> dict[int, str]:
    if not given:
        return guess_mapping(headers)
    mapping = {}
    for key, name in given.items():
        try:
            column = parse_int(str(key), maximum=99_999)
        except BadInteger:
            raise LedgerMappingError(f"列号「{key}」无效：应为从 0 开始的整数。") from None
        mapping[column] = name
    return mapping


BULLETIN_PARAMS = [
    OpenApiParameter("organisation", int, required=True, description="组织 id"),
    OpenApiParameter("period", str, required=True, description="月报 2026-11，季报 2026-Q3"),
]


class BulletinQuerySerializer(serializers.Serializer):
    organisation = serializers.IntegerField(min_value=1, max_value=selectors.MAX_ID)
    period = serializers.CharField(max_length=10)


class BulletinAPI(GenericAPIView):
    serializer_class = BulletinQuerySerializer
    queryset = SupervisionNotice.objects.none()  # for the browsable API and the schema; rows come from selectors
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        summary="督查通报（Word）",
        parameters=BULLETIN_PARAMS,
        responses={(200, DOCX): OpenApiResponse(OpenApiTypes.BINARY, description="督查通报 .docx"), **ERRORS},
    )
    def get(self, request: Request) -> HttpResponse:
        query = BulletinQuerySerializer(data=request.query_params)
        if not query.is_valid():
            return _error(_first(query.errors))
        supervised = permissions.organisations_with_role(request.user, permissions.ADMIN, permissions.SUPERVISOR)
        organisation = supervised.filter(pk=query.validated_data["organisation"]).first()
        if organisation is None:
            return _error("找不到该组织，或您不是该组织的督查人员。", status.HTTP_404_NOT_FOUND)
        try:
            name, content = bulletin_document(
                organisation=organisation, period=parse_period(query.validated_data["period"])
            )
        except PeriodError as error:
            return _error(str(error))
        return attachment(content, DOCX, name, "bulletin.docx")


class NoticeSerializer(serializers.ModelSerializer):
    number_text = serializers.CharField(read_only=True, help_text="如 督办〔2026〕12 号")
    docx_url = serializers.SerializerMethodField()

    class Meta:
        model = SupervisionNotice
        fields = ["id", "target", "kind", "year", "number", "number_text", "late_text", "requirement", "reply_by",
                  "issuer", "issued_at", "docx_url"]  # fmt: skip
        read_only_fields = fields

    def get_docx_url(self, notice: SupervisionNotice) -> str:
        return f"/api/notices/{notice.pk}/docx/"


class NoticeCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SupervisionNotice.Kind.choices, default=SupervisionNotice.Kind.SUPERVISE)
    reply_by = serializers.DateField()
    requirement = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class TargetNoticesAPI(GenericAPIView):
    serializer_class = NoticeCreateSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    queryset = SupervisionNotice.objects.none()  # for the browsable API and the schema; rows come from selectors
    pagination_class = None
    filter_backends: list = []

    @extend_schema(summary="任务的督办通知单", responses={200: NoticeSerializer(many=True), **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        target = selectors.target_visible_to(user=request.user, pk=pk)
        return Response(NoticeSerializer(target.notices.order_by("issued_at", "id"), many=True).data)

    @extend_schema(
        summary="签发督办通知单 / 催办单（任务须已督办升级）",
        request={"application/json": NoticeCreateSerializer, "multipart/form-data": NoticeCreateSerializer},
        responses={201: NoticeSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        target = selectors.target_visible_to(user=request.user, pk=pk)
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            return _error(_first(serializer.errors))
        try:
            notice = notice_issue(target=target, acting_user=request.user, **serializer.validated_data)
        except PermissionDenied as error:
            return _error(str(error), status.HTTP_403_FORBIDDEN)
        except ValidationError as error:
            return _error("；".join(error.messages))
        return Response(NoticeSerializer(notice).data, status=status.HTTP_201_CREATED)


class NoticeDocxAPI(GenericAPIView):
    serializer_class = NoticeSerializer
    queryset = SupervisionNotice.objects.none()  # for the browsable API and the schema; rows come from selectors
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        summary="督办通知单（Word）",
        responses={(200, DOCX): OpenApiResponse(OpenApiTypes.BINARY, description="督办通知单 .docx"), **ERRORS},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        notice = SupervisionNotice.objects.filter(pk=pk).first() if selectors.is_id(pk) else None
        if notice is None or not permissions.can_view_target(request.user, notice.target):
            return _error("找不到该通知单。", status.HTTP_404_NOT_FOUND)
        notice.target = selectors.target_detail(pk=notice.target_id)
        return attachment(notice_docx(notice), DOCX, notice_filename(notice, ".docx"), "notice.docx")


def _error(message: str, code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    return Response({"error": message}, status=code)


def _first(errors) -> str:
    if isinstance(errors, dict):
        for name, value in errors.items():
            return f"{name}：{_first(value)}"
    if isinstance(errors, list) and errors:
        return _first(errors[0])
    return str(errors)
