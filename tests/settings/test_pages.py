"""Settings: one blueprint whose pages are admins' unless made for everyone, with tabs."""

import pytest

ADMIN = "admin@company.com"
EMPLOYEE = "employee@company.com"
ADMIN_PAGES = ("/settings/api-keys", "/settings/webhooks", "/settings/working-time", "/settings/people")


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_are_refused_to_everyone_else(client, demo, login_as, path):
    login_as(demo[EMPLOYEE])
    assert client.get(path).status_code == 403


def test_everyone_has_their_email_preferences_and_no_admin_tabs(client, demo, login_as):
    login_as(demo[EMPLOYEE])
    response = client.get("/settings/notifications")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "<h1>Email preferences</h1>" in html and 'href="/notifications"' in html  # back to Notifications
    assert 'class="settings-tabs"' not in html and not any(f'href="{path}"' in html for path in ADMIN_PAGES)


def test_admins_see_every_settings_page_as_a_tab(client, demo, login_as):
    login_as(demo[ADMIN])
    html = client.get("/settings/working-time").get_data(as_text=True)
    tabs = html[html.index('class="settings-tabs"'):html.index("</nav>", html.index('class="settings-tabs"'))]
    for path in (*ADMIN_PAGES, "/settings/notifications"):
        assert f'href="{path}"' in tabs
