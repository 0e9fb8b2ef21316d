"""Forms of the report pages: upload, correct a commitment, accept, reject."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.conf import settings

from config.parsing import FormIntegerField
from reports.models import Commitment
from reports.services import EDITABLE_FIELDS


class ReportUploadForm(forms.Form):
    file = forms.FileField(
        label="报告文件",
        help_text="支持 .txt（UTF-8 / GBK）、.docx、.pdf（带文字层）",
        error_messages={"required": "请选择要上传的文件。", "empty": "文件为空，请选择包含报告正文的文件。"},
    )
    organisation = forms.ModelChoiceField(
        label="组织", queryset=None, empty_label=None, error_messages={"invalid_choice": "请选择您管理的组织。"}
    )
    year = FormIntegerField(
        label="计划年度（可选）",
        required=False,
        min_value=1949,
        max_value=2100,
        help_text="留空则从报告中自动识别",
    )

    def __init__(self, *args, organisations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["file"].widget.attrs["accept"] = ",".join(settings.REPORT_UPLOAD_EXTENSIONS)


SCALED_FIELDS = ("value", "value_max", "stretch_value")
SCALE_CHOICES = [(1, "—"), (10_000, "万"), (100_000_000, "亿")]


class CommitmentEditForm(forms.ModelForm):
    """Figures typed as the report writes them: 73 with 亿 and 元 is stored as 7300000000 元."""

    scale = forms.TypedChoiceField(
        label="数量级",
        choices=SCALE_CHOICES,
        coerce=int,
        required=False,
        empty_value=1,
        help_text="数值的单位前缀：73 亿元选“亿”，42 万平方米选“万”",
    )

    class Meta:
        model = Commitment
        fields = list(EDITABLE_FIELDS)
        labels = {"unit": "单位（元、平方米、个、%）"}
        widgets = {"baseline": forms.TextInput(), "metric": forms.TextInput()}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["relation"].required = False
        scale = _written_scale(self.instance) if not self.is_bound else 1
        self.fields["scale"].initial = scale
        for name in SCALED_FIELDS:
            self.fields[name].widget.attrs["step"] = "any"
            value = self.initial.get(name)
            if isinstance(value, int | float):
                value = float(Decimal(repr(float(value))) / scale)
                self.initial[name] = int(value) if value.is_integer() else value  # 9.1 (亿), not 910000000.0

    def clean(self):
        data = super().clean()
        scale = data.pop("scale", 1) or 1
        for name in SCALED_FIELDS:
            if data.get(name) is not None and scale != 1:
                data[name] = float(Decimal(repr(data[name])) * scale)  # exact: 9.1 亿 is 910000000.0
        return data


def _written_scale(commitment: Commitment) -> int:
    """The prefix the report used (9.1亿元 -> 1e8, 42万平方米 -> 1e4), 1 when none."""
    text = (commitment.value_text or "").replace(" ", "")
    unit = commitment.unit or ""
    if unit and re.search(r"\d亿" + re.escape(unit), text):
        return 100_000_000
    if unit and re.search(r"\d万" + re.escape(unit), text):
        return 10_000
    return 1


class CommitmentAcceptForm(forms.Form):
    """The lead department select: choices are given, so rendering many forms costs no query."""

    lead_department = forms.TypedChoiceField(label="牵头单位", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, choices: list[tuple[str | int, str]], initial_department: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["lead_department"]
        field.choices = choices
        if initial_department is not None:
            field.initial = initial_department


class CommitmentRejectForm(forms.Form):
    reason = forms.CharField(
        label="驳回理由",
        max_length=300,
        error_messages={"required": "驳回时必须填写理由。"},
        widget=forms.TextInput(attrs={"placeholder": "驳回理由（必填）"}),
    )
