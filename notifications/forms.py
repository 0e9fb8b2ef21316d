from __future__ import annotations

from django import forms

from notifications.models import Notification, NotificationPreference


class PreferenceForm(forms.Form):
    digest = forms.ChoiceField(label="督办摘要邮件", choices=NotificationPreference.Digest.choices)
    reminders = forms.BooleanField(label="接收节点提醒和逾期提醒", required=False)


class LogFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *Notification.Status.choices])
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *Notification.Kind.choices])
