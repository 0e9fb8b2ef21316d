"""What the browser tests do on every page: sign in through the login form, and check for sideways scrolling."""

from __future__ import annotations


def log_in(page, base_url: str, username: str, password: str | None = None) -> None:
    """Sign in through the login form; the test personas' password is `pw-<username>`."""
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password if password is not None else f"pw-{username}")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
