"""The editor gate on the Data page (AppTest): no credential, no write path.

Write paths are the upload tab and its file uploader, the publish form and the rollback form.
They must be unreachable without an editor credential (nothing configured, configured but not
signed in, wrong password, locked out, SSO user not on the allow-list) and appear after a
successful sign-in (password from the environment or from secrets, or SSO).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth
from dashboard.catalog import seed_store
from dashboard.i18n import t
from dashboard.loading import load_csv_tables
from dashboard.store import LocalStore
from dashboard.ui import auth as ui_auth

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
EDITOR = "Lee Editor"


@pytest.fixture(scope="module")
def password_hash() -> str:
    return auth.hash_password(PASSWORD)


@pytest.fixture(scope="module")
def two_version_store(tmp_path_factory) -> Path:
    """A store where `pillars` has two versions, so that a rollback target exists."""
    root = tmp_path_factory.mktemp("gate_store")
    store = LocalStore(root)
    seed_store(store)
    pillars = load_csv_tables()["pillars"].copy()
    pillars.loc[0, "name_en"] = "Changed name"
    store.publish("pillars", pillars, note="second", editor="setup")
    return root


@pytest.fixture
def data_page(two_version_store, monkeypatch):
    monkeypatch.setenv("DASHBOARD_STORE", str(two_version_store))
    monkeypatch.delenv(auth.ENV_VAR, raising=False)
    ui_auth._client_limiters.clear()  # the per-address limiter is process-wide

    def make(lang: str = "en", *, secrets: dict | None = None, user: dict | None = None) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at.query_params["lang"] = lang
        at.query_params["table"] = "pillars"
        for key, value in (secrets or {}).items():
            at.secrets[key] = value
        if user is not None:
            at.user = user
        at.switch_page("pages/data.py")
        return at.run()

    yield make
    ui_auth._client_limiters.clear()


def write_paths(at: AppTest, lang: str = "en") -> list[str]:
    """Every reachable widget that can change data."""
    found = [f"file_uploader: {u.label}" for u in at.file_uploader]
    found += [f"tab: {tab.label}" for tab in at.tabs if tab.label == t("data.tab_upload", lang)]
    publish, rollback = t("data.publish", lang), t("data.rollback", lang, version=1)
    found += [f"button: {b.label}" for b in at.button if b.label in (publish, rollback)]
    return found


def pick_old_version(at: AppTest) -> AppTest:
    """Choose version 1 of pillars in the history tab (the rollback form shows for older versions)."""
    box = next(s for s in at.selectbox if s.key and s.key.startswith("version_pillars_"))
    return box.set_value(1).run()


def sign_in(at: AppTest, password: str = PASSWORD, name: str = EDITOR, lang: str = "en") -> AppTest:
    fields = {w.label: w for w in at.text_input}
    fields[t("auth.name", lang)].input(name)
    fields[t("auth.password", lang)].input(password)
    next(b for b in at.button if b.label == t("auth.login", lang)).click()
    return at.run()


def session_values(at: AppTest) -> dict:
    """Every session-state entry, widget values included (internal keys too)."""
    inner = at.session_state._state  # SafeSessionState -> SessionState
    inner = getattr(inner, "_state", inner)
    values = {}
    for key in inner._keys():
        try:
            values[key] = inner[key]
        except KeyError:
            continue
    return values


def all_text(at: AppTest) -> str:
    return " ".join(str(e.value) for kind in ("info", "warning", "error", "success", "markdown", "caption")
                    for e in getattr(at, kind))


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_nothing_configured_means_read_only_with_instructions(data_page, lang):
    at = pick_old_version(data_page(lang))
    assert not at.exception
    assert write_paths(at, lang) == []
    assert t("auth.disabled", lang) in all_text(at)
    assert t("auth.enable_howto", lang, env=auth.ENV_VAR) in all_text(at)
    assert "python -m dashboard.auth hash" in all_text(at)
    assert not [w for w in at.text_input if w.label == t("auth.password", lang)]


def test_password_from_environment_unlocks_write_paths(data_page, password_hash, monkeypatch):
    monkeypatch.setenv(auth.ENV_VAR, password_hash)
    at = data_page()
    assert write_paths(pick_old_version(at)) == []  # configured, not signed in
    at = sign_in(at)
    assert not at.exception
    assert t("auth.signed_in_password", "en", name=EDITOR) in all_text(at)
    at = pick_old_version(at)
    paths = write_paths(at)
    assert any(p.startswith("file_uploader") for p in paths), paths
    assert f"button: {t('data.rollback', 'en', version=1)}" in paths
    # Sign out: the write paths are gone again.
    next(b for b in at.button if b.label == t("auth.logout", "en")).click()
    at.run()
    assert write_paths(pick_old_version(at)) == []


def test_password_from_secrets_works_too(data_page, password_hash):
    secrets = {"editor": {"password_hash": password_hash}}
    at = sign_in(data_page(secrets=secrets))
    assert any(p.startswith("file_uploader") for p in write_paths(at))


def test_wrong_password_never_reaches_write_paths_and_is_not_kept(data_page, password_hash, monkeypatch):
    monkeypatch.setenv(auth.ENV_VAR, password_hash)
    at = sign_in(data_page(), password="guess-1")
    assert t("auth.wrong_password", "en", left=4) in all_text(at)
    assert write_paths(pick_old_version(at)) == []
    at = sign_in(at, password=PASSWORD)
    assert write_paths(at)
    # The password is in no widget value, no element and no session state after the form cleared.
    assert all(w.value in ("", None) for w in at.text_input if w.label == t("auth.password", "en"))
    state = session_values(at)
    assert state and PASSWORD not in repr(state) and "guess-1" not in repr(state)
    assert PASSWORD not in all_text(at)


def test_failed_attempts_lock_the_session(data_page, password_hash, monkeypatch):
    monkeypatch.setenv(auth.ENV_VAR, password_hash)
    at = data_page()
    for attempt in range(5):
        at = sign_in(at, password=f"wrong-{attempt}")
    assert t("auth.locked", "en", seconds=30) in all_text(at)
    login = next(b for b in at.button if b.label == t("auth.login", "en"))
    assert login.disabled
    assert write_paths(at) == []
    # The lockout is kept on the server: rerunning (or a forged submit) does not lift it.
    at.run()
    assert next(b for b in at.button if b.label == t("auth.login", "en")).disabled
    assert t("auth.locked", "en", seconds=30) in all_text(at)


def test_reloading_does_not_reset_the_limit(data_page, password_hash, monkeypatch):
    """A new session from the same address shares the per-address limiter (20 failures)."""
    monkeypatch.setenv(auth.ENV_VAR, password_hash)
    for session in range(4):
        at = data_page()
        for attempt in range(5):
            at = sign_in(at, password=f"wrong-{session}-{attempt}")
    fresh = data_page()
    assert next(b for b in fresh.button if b.label == t("auth.login", "en")).disabled
    assert t("auth.locked", "en", seconds=30) in all_text(fresh)
    assert write_paths(fresh) == []


def test_a_forged_submit_while_locked_is_not_even_checked(password_hash):
    """The disabled button is cosmetic: the check itself refuses while the session is locked."""

    def script(stored: str, password: str) -> None:
        import time

        import streamlit as st

        from dashboard import auth
        from dashboard.ui import auth as ui_auth

        limiter = auth.AttemptLimiter()
        limiter.locked_until = time.monotonic() + 60
        st.session_state[ui_auth._LIMITER] = limiter
        st.session_state[ui_auth._NAME_KEY] = "Forger"
        st.session_state[ui_auth._PASSWORD_KEY] = password
        ui_auth._attempt(stored)  # what the form's callback would do on a forged submit
        st.write("signed in" if ui_auth._SESSION in st.session_state else "refused")
        st.write("password kept" if st.session_state[ui_auth._PASSWORD_KEY] else "password cleared")

    at = AppTest.from_function(script, args=(password_hash, PASSWORD)).run()
    assert [m.value for m in at.markdown] == ["refused", "password cleared"]


def test_changing_the_password_signs_editors_out(data_page, password_hash, monkeypatch):
    monkeypatch.setenv(auth.ENV_VAR, password_hash)
    at = sign_in(data_page())
    assert write_paths(at)
    monkeypatch.setenv(auth.ENV_VAR, auth.hash_password("a new password for editors"))
    at.run()
    assert write_paths(at) == []
    assert t("auth.required", "en") in all_text(at)


def test_invalid_configured_hash_keeps_the_page_read_only(data_page, monkeypatch):
    monkeypatch.setenv(auth.ENV_VAR, "plain-text-password")
    at = data_page()
    assert not at.exception
    assert write_paths(at) == []
    assert not [w for w in at.text_input if w.label == t("auth.password", "en")]
    assert "plain-text-password" not in all_text(at)


def test_editor_name_is_required(data_page, password_hash, monkeypatch):
    monkeypatch.setenv(auth.ENV_VAR, password_hash)
    at = sign_in(data_page(), name="   ")
    assert t("auth.bad_name", "en", limit=auth.MAX_EDITOR_NAME_CHARS) in all_text(at)
    assert write_paths(at) == []


OIDC = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test-only",
                 "client_id": "dashboard", "client_secret": "test-only",
                 "server_metadata_url": "https://sso.example/.well-known/openid-configuration"}}


def test_sso_configured_but_not_logged_in_offers_sign_in_only(data_page):
    at = data_page(secrets=OIDC, user={"is_logged_in": False})
    assert not at.exception
    assert write_paths(pick_old_version(at)) == []
    text = all_text(at)
    # Without Authlib the page says what is missing instead of failing; with it, an SSO button.
    assert t("auth.sso_needs_authlib", "en") in text or \
        any(b.label == t("auth.sso_login", "en") for b in at.button)
    assert "test-only" not in text


def test_sso_user_is_an_editor(data_page):
    user = {"is_logged_in": True, "name": "Park SSO", "email": "park@msit.go.kr"}
    at = pick_old_version(data_page(secrets=OIDC, user=user))
    assert t("auth.signed_in_sso", "en", name="Park SSO") in all_text(at)
    assert f"button: {t('data.rollback', 'en', version=1)}" in write_paths(at)


def test_sso_allow_list_keeps_other_accounts_read_only(data_page):
    secrets = {**OIDC, "editor": {"allowed_emails": ["@msit.go.kr"]}}
    user = {"is_logged_in": True, "name": "Visitor", "email": "visitor@elsewhere.example"}
    at = pick_old_version(data_page(secrets=secrets, user=user))
    assert write_paths(at) == []
    assert t("auth.sso_not_allowed", "en", email="visitor@elsewhere\\.example") in all_text(at)
    insider = {"is_logged_in": True, "name": "Choi", "email": "choi@msit.go.kr"}
    assert write_paths(data_page(secrets=secrets, user=insider))


def test_store_is_unchanged_by_a_refused_session(two_version_store):
    """Guard for the tests above: nothing here wrote to the store (pillars still has 2 versions)."""
    assert [v.version for v in LocalStore(two_version_store).history("pillars")] == [2, 1]
    assert isinstance(LocalStore(two_version_store).read("pillars"), pd.DataFrame)
