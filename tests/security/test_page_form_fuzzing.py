"""Fuzzing the page forms (the API has tests/api/test_schemathesis.py): every page write of the site map
(`PAGE_POSTS`) on the seeded town of the escaping tests (every object a form can act on exists), posted by every
persona with its valid data except one field, which hypothesis replaces by hostile input: digits only Unicode
calls digits, numbers past a bigint or a float, far and impossible dates, empty, long, control characters, markup.
No answer may be a 5xx (the test client re-raises a view's exception, so a crash fails with its traceback).
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.test_csrf import POSTS, world  # noqa: F401 (the fixture, by name)

EXAMPLES = 8  # per page write: 25 writes x 8 = 200 requests, about a minute on the shared CI machine
ODD = ["²", "①", "٣", "１２", "1_000", "9" * 25, str(2**63), "-1", "0", "1e400", "-1e308", "nan", "inf", "1e-300"]
ODD += ["9999-12-31", "0001-01-01", "2023-02-30", "20230101", "", " ", "\x00", "\u202e", "<b>x</b>", "a" * 3000]
HOSTILE = st.one_of(
    st.sampled_from([*ODD, "true", "[]", "{}"]),
    st.text(max_size=20),
    st.integers(min_value=-(10**22), max_value=10**22).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.dates().map(lambda d: d.isoformat()),
)
PERSONAS = ["alice", "bob", "sam", "ada"]


@pytest.mark.parametrize("name", sorted(set(POSTS) - {"logout"}))
def test_a_page_form_with_one_hostile_field_never_answers_5xx(world, client, name):  # noqa: F811
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def post(data):
        who, kwargs, valid = POSTS[name](world)
        poster = data.draw(st.sampled_from([who, *PERSONAS]), label="persona")
        field = data.draw(st.sampled_from(sorted(valid) or ["unexpected"]), label="field")
        value = data.draw(HOSTILE, label="value")
        client.logout()
        if poster is not None:
            client.force_login(world.objects[poster] if poster in world.objects else _user(poster))
        response = client.post(reverse(name, kwargs=kwargs), {**valid, field: value})
        assert response.status_code < 500, (name, poster, field, value, response.status_code)

    post()


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)
