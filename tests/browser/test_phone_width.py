"""Every page of the site map, as each role, at phone (390 px) and desk (1366 px) width: the page never scrolls
sideways. Wide tables must turn into cards or scroll inside their own box.

The world is the security tests' hostile town (tests/security/hostile_world.py): every text a user can write
is a long payload, which is also the worst case for a narrow screen.
"""

from __future__ import annotations

import pytest
from browser_pages import log_in
from django.urls import reverse

from tests.security import hostile_world
from tests.security.site_map import MORE_PAGES, PAGES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Pages a persona reaches without logging in, or that log the persona out: visited anonymously.
ANONYMOUS = {"login", "notifications:unsubscribe"}
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(el => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 1) return false;
    // Inside a box that scrolls on its own is fine (a table in .table-wrap).
    for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p);
      if ((s.overflowX === 'auto' || s.overflowX === 'scroll' || s.overflowX === 'hidden')
          && p.getBoundingClientRect().right <= width + 1) return false;
    }
    return true;
  }).slice(0, 3).map(el => el.tagName + '.' + el.className + ' ' + (el.innerText || '').slice(0, 40));
  return {scroll: document.documentElement.scrollWidth, width, wide};
}"""


@pytest.fixture
def world(org, dept_econ, dept_housing, alice, bob, sam, ada, settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return hostile_world.build(
        org=org, dept_econ=dept_econ, dept_housing=dept_housing, alice=alice, bob=bob, sam=sam, ada=ada
    )


def site_urls(world) -> list[tuple[str, str]]:
    pages = [(name, kwargs) for name, kwargs in PAGES.items()] + list(MORE_PAGES)
    return [(name, reverse(name, kwargs=kwargs(world))) for name, kwargs in pages]


@pytest.mark.parametrize("width", [390, 1366])
def test_no_page_scrolls_sideways(live_server, open_browser, world, width):
    urls = site_urls(world)
    assert len(urls) >= len(PAGES)
    failures, visited = [], 0
    anonymous = open_browser(width=width, height=844).new_page()
    for name, path in urls:
        if name in ANONYMOUS:
            anonymous.goto(live_server.url + path)
            result = anonymous.evaluate(OVERFLOW)
            visited += 1
            if result["scroll"] > result["width"] + 1:
                failures.append((None, name, result))
    for username in ("alice", "sam", "ada"):
        page = open_browser(width=width, height=844).new_page()
        log_in(page, live_server.url, username)
        for name, path in urls:
            if name in ANONYMOUS:
                continue
            response = page.goto(live_server.url + path)
            if response.status >= 400:
                continue  # not this persona's page (403/404): nothing to lay out
            visited += 1
            result = page.evaluate(OVERFLOW)
            if result["scroll"] > result["width"] + 1:
                failures.append((username, name, result))
    assert visited >= 3 * (len(PAGES) - len(ANONYMOUS)) - 6  # most pages are seen by every role
    assert not failures, failures
