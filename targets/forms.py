"""Forms of the target pages: they validate input; the services decide."""

from __future__ import annotations

from django import forms

from targets.models import Department, Target


class ProgressForm(forms.Form):
    value = forms.FloatField(label="累计完成值", required=False, min_value=0)
    percent = forms.FloatField(label="完成比例(%)", required=False, min_value=0, max_value=1000)
    note = forms.CharField(label="进展说明", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("value") is None and data.get("percent") is None and not (data.get("note") or "").strip():
            raise forms.ValidationError("请填写完成值、完成比例或进展说明中的至少一项。")
        return data


class LifecycleForm(forms.Form):
    ACTIONS = [
        ("request_signoff", "申请销号"),
        ("sign_off", "销号"),
        ("request_extension", "申请延期"),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    note = forms.CharField(label="说明", required=False, max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ExtensionForm(forms.Form):
    new_due_date = forms.DateField(label="延期至", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="批准意见", required=False, max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput)


class TargetFilterForm(forms.Form):
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
    version = forms.IntegerField(widget=forms.HiddenInput)

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
