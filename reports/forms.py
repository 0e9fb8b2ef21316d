"""Forms of the report pages: upload, correct a commitment, accept, reject."""

from __future__ import annotations

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


class CommitmentEditForm(forms.ModelForm):
    class Meta:
        model = Commitment
        fields = list(EDITABLE_FIELDS)
        labels = {"value": "数值（基本单位）", "unit": "单位（基本单位）"}
        widgets = {"baseline": forms.TextInput(), "metric": forms.TextInput()}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["relation"].required = False
        for name in ("value", "value_max", "stretch_value"):
            self.fields[name].widget.attrs["step"] = "any"
            value = self.initial.get(name)
            if isinstance(value, float) and value.is_integer():
                self.initial[name] = int(value)  # 910000000, not 910000000.0


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
