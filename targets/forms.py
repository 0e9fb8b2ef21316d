"""Forms of the target pages: they validate input; the services decide."""

from __future__ import annotations

from django import forms

from config.parsing import FormIntegerField
from targets.models import Department, Target

EVIDENCE_ACCEPT = "image/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.wps,.et,.dps"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several evidence files in one input; the services check size, type and content."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class VersionedForm(forms.Form):
    """Every form that changes a target carries the version its page showed."""

    version = FormIntegerField(widget=forms.HiddenInput)


class ProgressForm(VersionedForm):
    value = forms.FloatField(
        label="累计完成值", required=False, min_value=0, widget=forms.NumberInput(attrs={"inputmode": "decimal"})
    )
    percent = forms.FloatField(
        label="完成比例(%)",
        required=False,
        min_value=0,
        max_value=1000,
        widget=forms.NumberInput(attrs={"inputmode": "decimal"}),
    )
    note = forms.CharField(label="进展说明", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    files = MultipleFileField(label="佐证材料")
    corrects = FormIntegerField(required=False, widget=forms.HiddenInput)
    # Shown only after a figure looked implausible (targets.plausibility): ticking it stores the figure as typed.
    confirm = forms.BooleanField(label="我已核对，数值无误，仍然提交", required=False)

    def clean(self):
        data = super().clean()
        empty = data.get("value") is None and data.get("percent") is None and not (data.get("note") or "").strip()
        if empty and not data.get("files"):
            raise forms.ValidationError("请填写完成值、完成比例或进展说明中的至少一项。")
        return data


class RequestExtensionForm(VersionedForm):
    new_due_date = forms.DateField(label="申请延期至", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="延期理由", max_length=500)


class RequestSignoffForm(VersionedForm):
    note = forms.CharField(label="完成情况说明", required=False, max_length=500)
    files = MultipleFileField(label="佐证材料")


class DecisionForm(VersionedForm):
    """A supervisor's answer to a request: approve, or refuse with a reason."""

    decision = forms.ChoiceField(choices=[("approve", "批准"), ("refuse", "驳回")])
    note = forms.CharField(label="意见", required=False, max_length=500)
    new_due_date = forms.DateField(label="延期至", required=False, widget=forms.DateInput(attrs={"type": "date"}))


class CommentForm(forms.Form):
    text = forms.CharField(label="评论/说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    files = MultipleFileField(label="佐证材料")


class EscalateForm(VersionedForm):
    note = forms.CharField(label="督办要求", required=False, max_length=500)
    escalate = forms.BooleanField(required=False, initial=True, widget=forms.HiddenInput)


class CancelForm(VersionedForm):
    note = forms.CharField(label="取消理由", max_length=500)


class MilestoneForm(VersionedForm):
    title = forms.CharField(label="节点内容", max_length=200)
    due_date = forms.DateField(label="节点时间", widget=forms.DateInput(attrs={"type": "date"}))
    expected_percent = forms.FloatField(label="计划进度(%)", required=False, min_value=0, max_value=100)
    expected_value = forms.FloatField(label="计划累计值", required=False)


class LifecycleForm(forms.Form):
    ACTIONS = [
        ("request_signoff", "申请销号"),
        ("sign_off", "销号"),
        ("request_extension", "申请延期"),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    note = forms.CharField(label="说明", required=False, max_length=500)
    version = FormIntegerField(widget=forms.HiddenInput)


class ExtensionForm(VersionedForm):
    new_due_date = forms.DateField(label="延期至", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="批准意见", required=False, max_length=500)


class TargetFilterForm(forms.Form):
    GROUPS = [("", "不分组"), ("department", "按牵头单位分组")]

    department = forms.TypedChoiceField(label="部门", required=False, coerce=int, empty_value=None)
    lifecycle = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *Target.Lifecycle.choices])
    health = forms.ChoiceField(
        label="健康度",
        required=False,
        choices=[
            ("", "全部"),
            ("overdue", "已逾期"),
            ("at_risk", "有风险"),
            ("due_soon", "临近节点"),
            ("on_track", "正常推进"),
        ],
    )
    plan_year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None)
    group = forms.ChoiceField(label="分组", required=False, choices=GROUPS)

    def __init__(self, *args, departments=(), years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "全部部门")] + [
            (d.pk, f"{d.organisation.name} · {d.name}") for d in departments
        ]
        self.fields["plan_year"].choices = [("", "全部年度")] + [(y, f"{y}年") for y in years]


class ReassignForm(forms.Form):
    lead_department = forms.ModelChoiceField(label="牵头单位", queryset=Department.objects.none())
    co_departments = forms.ModelMultipleChoiceField(
        label="责任单位", queryset=Department.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label="说明", required=False, max_length=500)
    version = FormIntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, target: Target, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "lead_department": target.lead_department_id,
                "co_departments": [d.pk for d in target.co_departments.all()],
                "version": target.version,
            },
        )
        super().__init__(*args, **kwargs)
        departments = Department.objects.filter(organisation_id=target.organisation_id).order_by("name")
        self.fields["lead_department"].queryset = departments
        self.fields["co_departments"].queryset = departments
