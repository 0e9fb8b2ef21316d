"""The supervisor board ranks the departments by 按期完成率 with overdue counts and the change against 7 days
earlier, readable at desk (1366 px) and phone (390 px) width without sideways scrolling (tests/rankings_world.py,
moved to today's date)."""

from __future__ import annotations

from datetime import date

import pytest
from browser_pages import log_in, no_sideways_scroll
from rankings_world import EXPECTED, build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1366, 390])
def test_board_shows_rates_ranks_and_change(live_server, open_browser, org, sam, width):
    build(org, today=date.today())
    page = open_browser(width=width).new_page()
    log_in(page, live_server.url, "sam")
    page.goto(f"{live_server.url}/")
    board = page.locator("details.board")
    assert "按期完成率 = 未逾期（含已销号）任务数 ÷ 任务数（不含已取消）" in board.inner_text()
    for name, rank, rate, overdue, _rank_before, _rate_before, change in EXPECTED:
        row = board.locator("tr", has=page.locator("td.dept-name", has_text=name))
        assert row.locator(".rank-rate").inner_text() == f"{rate:.1f}%"
        assert row.locator(".rank-place").inner_text() == f"{rank}/4"
        assert row.locator(".rank-change").inner_text() == change
        overdue_cell = row.locator('td[data-label="已逾期"]')
        assert overdue_cell.inner_text().strip() == str(overdue)
        assert row.locator(".rank-rate").is_visible() and row.locator(".rank-change").is_visible()
    assert no_sideways_scroll(page)
