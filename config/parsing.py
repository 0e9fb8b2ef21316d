"""One way to read a whole number from a request: query parameters, form fields, `If-Match`/`version`, ids.

`str.isdigit()` is true for characters `int()` refuses (², ①, ٣ is even read by `int()` as 3), and `int()` itself
takes `1_000`, ` 12 ` and any length. Here a whole number is ASCII digits (full-width ０-９, as a Chinese input
method types them, count as the same digits), an optional sign only where the caller allows it, at most 19
digits, and within the caller's bounds. Anything else raises `BadInteger`, a ValueError with a Chinese message
that views answer with 400 (`{"error": …}` under /api/, the form's error on pages).

Django form and DRF serializer fields built on it (`FormIntegerField`, `ApiIntegerField`) keep every form and
serializer on the same rule.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

MAX_ID = 2**63 - 1  # PostgreSQL bigint and SQLite INTEGER: a larger id would fail in the driver, not match nothing
MAX_DIGITS = 19
_FULL_WIDTH = str.maketrans("０１２３４５６７８９＋－", "0123456789+-")
_SIGNED = re.compile(rf"[+-]?[0-9]{{1,{MAX_DIGITS}}}", re.ASCII)
_UNSIGNED = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}", re.ASCII)


class BadInteger(ValueError):
    """Not a whole number within bounds; `message` is the Chinese text shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_int(
    raw: object,
    *,
    label: str = "数值",
    minimum: int | None = None,
    maximum: int | None = None,
    signed: bool = False,
) -> int:
    """The whole number `raw` spells (a str, or an int that is not a bool), within [minimum, maximum]."""
    if isinstance(raw, bool):
        raise BadInteger(f"{label}应为整数。")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():  # JSON 3.0 is the integer 3 to JSON Schema
        value = int(raw)
    elif isinstance(raw, str):
        text = raw.strip(" \t").translate(_FULL_WIDTH)
        if not (_SIGNED if signed else _UNSIGNED).fullmatch(text):
            raise BadInteger(f"{label}应为{'整数' if signed else '非负整数'}（阿拉伯数字，不超过 {MAX_DIGITS} 位）。")
        value = int(text)
    else:
        raise BadInteger(f"{label}应为整数。")
    if minimum is not None and value < minimum:
        raise BadInteger(f"{label}不能小于 {minimum}。")
    if maximum is not None and value > maximum:
        raise BadInteger(f"{label}不能大于 {maximum}。")
    return value


def parse_optional_int(raw: object, **bounds) -> int | None:
    """None for a missing or empty value, otherwise `parse_int`."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return parse_int(raw, **bounds)


def parse_id(raw: object, *, label: str = "编号") -> int:
    """A row id: 1 … MAX_ID."""
    return parse_int(raw, label=label, minimum=1, maximum=MAX_ID)


def parse_version(raw: object) -> int:
    """A target's version as the client read it (ETag or `version`)."""
    return parse_int(raw, label="版本号", minimum=0, maximum=MAX_ID)


class FormIntegerField(forms.IntegerField):
    """Django form field with the same rule (and message) as `parse_int`; bounds from min_value/max_value."""

    def __init__(self, *args, signed: bool = False, **kwargs) -> None:
        self.signed = signed
        kwargs.setdefault("min_value", None if signed else 0)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_int(value, label=str(self.label or "数值"), signed=self.signed)
        except BadInteger as error:
            raise DjangoValidationError(error.message, code="invalid") from error


class ApiIntegerField(serializers.IntegerField):
    """DRF field with the same rule as `parse_int` (DRF's own takes `1_000`, `٣` and JSON `true`)."""

    def __init__(self, *args, signed: bool = False, label_zh: str = "数值", **kwargs) -> None:
        self.signed = signed
        self.label_zh = label_zh
        kwargs.setdefault("min_value", None if signed else 0)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)

    def to_internal_value(self, data):
        try:
            return parse_int(data, label=self.label_zh, signed=self.signed)
        except BadInteger as error:
            raise serializers.ValidationError(error.message, code="invalid") from error
