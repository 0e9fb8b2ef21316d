"""One integer parser (`config.parsing`): property tests of the parser, then every place a request carries a
whole number (query parameters, form and JSON fields, If-Match / version) fed the same hostile spellings.

The class of bug: `str.isdigit()` is true for ², ① and ٣, `int()` refuses the first two (a 500) and reads the
third as 3; `int()` also takes `1_000` and any length (a bigint overflow in the driver). Each spelling below must
get 400 with a Chinese message (pages: the form's error or the site's 400 page), never a 500.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from config.parsing import MAX_DIGITS, MAX_ID, BadInteger, parse_id, parse_int, parse_version

PROPERTY = settings(max_examples=300, derandomize=True, database=None, deadline=None)
CJK = re.compile(r"[\u4e00-\u9fff]")
# Every character Unicode calls a digit that is neither ASCII nor full-width: none may pass.
OTHER_DIGITS = [
    chr(c)
    for c in range(sys.maxunicode + 1)
    if chr(c).isdigit() and not ("0" <= chr(c) <= "9" or "０" <= chr(c) <= "９")
]
HOSTILE = ["²", "①", "٣", "١٢", "𝟙", "1_000", "9" * (MAX_DIGITS + 1), str(2**64), "-1", "1.5", "0x10", "1e3", "", " "]


def is_chinese_error(error: BadInteger) -> bool:
    return bool(CJK.search(error.message)) and "invalid literal" not in error.message


@PROPERTY
@given(st.text(max_size=30))
def test_any_text_is_a_bounded_integer_or_a_chinese_refusal(text):
    try:
        value = parse_int(text, minimum=0, maximum=MAX_ID)
    except BadInteger as error:
        assert is_chinese_error(error)
        return
    digits = text.strip(" \t").translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    assert re.fullmatch(r"[0-9]{1,19}", digits, re.ASCII) and value == int(digits) and 0 <= value <= MAX_ID


@PROPERTY
@given(st.integers(min_value=-(10**25), max_value=10**25), st.booleans(), st.booleans())
def test_integers_round_trip_in_ascii_and_full_width(number, full_width, padded):
    text = str(number)
    if full_width:
        text = text.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
    if padded:
        text = f" {text}\t"
    in_range = len(str(abs(number))) <= MAX_DIGITS and -MAX_ID <= number <= MAX_ID
    try:
        assert parse_int(text, signed=True, minimum=-MAX_ID, maximum=MAX_ID) == number and in_range
    except BadInteger as error:
        assert not in_range and is_chinese_error(error)


@PROPERTY
@given(st.integers(), st.integers(min_value=-50, max_value=50), st.integers(min_value=0, max_value=100))
def test_bounds_are_inclusive(number, low, width):
    high = low + width
    try:
        assert low <= parse_int(number, signed=True, minimum=low, maximum=high) == number <= high
    except BadInteger as error:
        assert not low <= number <= high and is_chinese_error(error)


def test_every_other_unicode_digit_is_refused():
    assert len(OTHER_DIGITS) > 500  # ², ①, ٣, 𝟙 … (Unicode 15 has several hundred)
    for character in OTHER_DIGITS:
        for text in (character, f"1{character}", f"{character}0"):
            with pytest.raises(BadInteger) as refused:
                parse_int(text)
            assert is_chinese_error(refused.value), unicodedata.name(character, hex(ord(character)))


@pytest.mark.parametrize("value", [True, False, None, 1.5, float("nan"), float("inf"), [], {}, b"1"])
def test_non_numbers_are_refused(value):
    with pytest.raises(BadInteger):
        parse_id(value)


def test_ids_and_versions():
    assert parse_id("1") == 1 and parse_id(MAX_ID) == MAX_ID and parse_id(3.0) == 3
    assert parse_version("0") == 0 and parse_version("１２") == 12
    for bad in ("0", str(MAX_ID + 1), "-3"):
        with pytest.raises(BadInteger):
            parse_id(bad)


# --- every place a request carries a whole number ---------------------------------------------------------


@pytest.fixture
def world(org, dept_econ, ada, alice, sam):
    from reports.models import Commitment, Report
    from targets.services import target_create_from_commitment

    report = Report.objects.create(
        organisation=org, title="报告", original_name="r.txt", file_type="txt", size=1, sha256="0" * 64, text="文"
    )
    commitment = Commitment.objects.create(
        report=report, quote="完成改造", start=0, end=1, kind="deliverable", metric="改造", plan_year=2023
    )
    target = target_create_from_commitment(commitment=commitment, acting_user=ada, lead_department=dept_econ)
    milestone = target.milestones.create(title="节点", due_date=date(2023, 6, 30))
    return {"target": target, "milestone": milestone, "org": org, "ada": ada, "alice": alice, "sam": sam}


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# (who, method, url template, how the value travels): the value replaces {v}; ids come from the world.
API_CASES = [
    ("sam", "get", "/api/targets/?organisation={v}", "query"),
    ("sam", "get", "/api/targets/?department={v}", "query"),
    ("sam", "get", "/api/targets/?plan_year={v}", "query"),
    ("sam", "get", "/api/targets/overdue/?organisation={v}", "query"),
    ("sam", "get", "/api/reports/?organisation={v}", "query"),
    ("sam", "get", "/api/reconciliations/?organisation={v}", "query"),
    ("sam", "get", "/api/reconciliations/?year={v}", "query"),
    ("sam", "get", "/api/reconciliations/export/?organisation={v}", "query"),
    ("alice", "post", "/api/targets/{target}/progress/", "version"),
    ("alice", "post", "/api/targets/{target}/progress/", "if-match"),
    ("alice", "post", "/api/targets/{target}/progress/", "corrects"),
    ("alice", "post", "/api/targets/{target}/request-extension/", "version"),
    ("sam", "post", "/api/targets/{target}/escalate/", "version"),
    ("sam", "post", "/api/targets/{target}/escalate/", "if-match"),
    ("ada", "post", "/api/targets/{target}/reassign/", "lead_department"),
    ("alice", "post", "/api/milestones/{milestone}/done/", "if-match"),
    ("ada", "delete", "/api/milestones/{milestone}/?version={v}", "query"),
    ("sam", "post", "/api/reconciliations/", "organisation"),
    ("sam", "post", "/api/reconciliations/", "year"),
]


def _body(how: str, value: str, world) -> dict:
    base = {"value": 1, "note": "说明", "new_due_date": "2023-12-31", "version": world["target"].version}
    if how in {"version", "corrects", "lead_department", "organisation", "year"}:
        base.update({"organisation": world["org"].pk, "year": 2023, how: value})
    return base


EMPTY = {""}
# An empty query value is "no filter" (documented in the schema), not a bad number (a blank " " is one):
# test_an_empty_filter_is_no_filter.
# A blank version on DELETE is no version at all: 428, like a missing one (test_a_blank_version_is_no_version).
API_PARAMS = [
    (*case, value)
    for case in API_CASES
    for value in HOSTILE
    if not (case[3] == "query" and (value in EMPTY or (case[1] == "delete" and not value.strip())))
]


@pytest.mark.parametrize(("who", "method", "url", "how", "value"), API_PARAMS)
def test_api_answers_400_in_chinese(world, who, method, url, how, value):
    client = api_for(world[who])
    path = url.format(v=value, target=world["target"].pk, milestone=world["milestone"].pk)
    headers = {"HTTP_IF_MATCH": f'"{world["target"].pk}-{value}"'} if how == "if-match" else {}
    if method == "get":
        response = client.get(path)
    elif method == "delete":
        response = client.delete(path)
    else:
        response = client.post(path, _body(how, value, world), format="json", **headers)
    assert response.status_code == 400, (path, value, response.content[:300])
    body = response.json()
    assert CJK.search(body["error"]) and "invalid literal" not in body["error"]
    world["target"].refresh_from_db()
    assert world["target"].version == 1 and not world["target"].updates.exists()


@pytest.mark.parametrize("value", sorted(EMPTY))
@pytest.mark.parametrize(("who", "url"), [(who, url) for who, method, url, how in API_CASES if method == "get"])
def test_an_empty_filter_is_no_filter(world, who, url, value):
    response = api_for(world[who]).get(url.format(v=value))
    assert response.status_code == 200, (url, value, response.content[:300])


@pytest.mark.parametrize("value", ["", " "])
def test_a_blank_version_is_no_version(world, value):
    response = api_for(world["ada"]).delete(f"/api/milestones/{world['milestone'].pk}/?version={value}")
    assert response.status_code == 428, response.content[:300]
    assert CJK.search(response.json()["error"])
    assert world["milestone"].__class__.objects.filter(pk=world["milestone"].pk).exists()


PAGE_CASES = [
    ("alice", "get", "/targets/{target}/?corrects={v}", None),
    ("sam", "get", "/targets/bulletin.docx?period=2023-06&organisation={v}", None),
    ("alice", "post", "/targets/{target}/progress/", "version"),
    ("alice", "post", "/targets/{target}/progress/", "corrects"),
    ("alice", "post", "/milestones/{milestone}/done/", "version"),
    ("ada", "post", "/milestones/{milestone}/edit/", "version"),
    ("ada", "post", "/milestones/{milestone}/cancel/", "version"),
    ("sam", "post", "/targets/{target}/escalate/", "version"),
    ("sam", "post", "/reports/reconciliations/run/", "organisation"),
    ("sam", "post", "/reports/reconciliations/run/", "year"),
    ("ada", "post", "/reports/", "year"),
]


@pytest.mark.parametrize("value", [v for v in HOSTILE if v.strip()])
@pytest.mark.parametrize(("who", "method", "url", "field"), PAGE_CASES)
def test_pages_refuse_in_chinese(client, world, who, method, url, field, value):
    from django.contrib.messages import get_messages

    client.force_login(world[who])
    path = url.format(v=value, target=world["target"].pk, milestone=world["milestone"].pk)
    if method == "get":
        response = client.get(path)
    else:
        data = {"value": "1", "note": "说明", "title": "节点", "due_date": "2023-06-30", "version": "1"}
        data.update({"organisation": world["org"].pk, "year": "2023", field: value})
        response = client.post(path, data)
    assert response.status_code in {302, 400}, (path, value, response.status_code)
    if response.status_code == 400:
        assert CJK.search(response.content.decode()) and "invalid literal" not in response.content.decode()
    else:  # the page it sends back to shows why
        assert [m for m in get_messages(response.wsgi_request) if CJK.search(str(m))]
    world["target"].refresh_from_db()
    assert world["target"].version == 1 and not world["target"].updates.exists()
