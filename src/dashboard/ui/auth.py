"""The editor gate: who may upload, publish and roll back.

``editor_gate()`` renders, in the current container, what a visitor needs to become an editor
(or why they cannot) and returns the editor's display name, or None when this session may not
change data. The Data page shows its write tools only when it returns a name.

Configuration (outside the repository, see ``dashboard.auth``):

* nothing configured: read-only, with a note on how to enable editing;
* ``DASHBOARD_EDITOR_PASSWORD_HASH`` or secrets ``[editor] password_hash``: a name + password form,
  compared against the salted hash in constant time, with failed attempts limited per session
  (and per client address across sessions);
* an ``[auth]`` secrets section: single sign-on through ``st.login`` (needs Authlib); an optional
  ``[editor] allowed_emails = ["a@x.go.kr", "@x.go.kr"]`` restricts which accounts may edit.

The password never leaves the form: it is not logged, echoed or put in the URL, and the form's
callback clears it from the session as soon as it has been checked.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Mapping
from typing import Any

import streamlit as st

from dashboard import auth
from dashboard.ui.state import tr
from dashboard.ui.text import escape_md

_LOG = logging.getLogger("dashboard.auth")
_SESSION = "_editor_session"
_LIMITER = "_editor_limiter"
_FORM = "editor_login"
_NAME_KEY = "_editor_login_name"
_PASSWORD_KEY = "_editor_login_password"
_MESSAGE = "_editor_login_message"
# Across sessions from one client address: a page reload must not reset the limit.
CLIENT_MAX_ATTEMPTS = 20


class _ClientLimiters:
    """Process-wide failed-attempt limiters keyed by client address (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._limiters: dict[str, auth.AttemptLimiter] = {}

    def remaining(self, client: str, now: float) -> float:
        with self._lock:
            limiter = self._limiters.get(client)
            return limiter.remaining(now) if limiter else 0.0

    def failure(self, client: str, now: float) -> None:
        with self._lock:
            if len(self._limiters) > 10_000:  # bounded memory under address churn
                self._limiters.clear()
            limiter = self._limiters.setdefault(client, auth.AttemptLimiter(max_attempts=CLIENT_MAX_ATTEMPTS))
            limiter.record_failure(now)

    def success(self, client: str) -> None:
        with self._lock:
            self._limiters.pop(client, None)


@st.cache_resource(show_spinner=False)
def _client_limiters() -> _ClientLimiters:
    return _ClientLimiters()


def _client() -> str:
    try:
        address = st.context.ip_address  # None on loopback
    except Exception:  # noqa: BLE001 - no client context: one shared bucket
        return "unknown"
    return address if isinstance(address, str) and address else "loopback"


def _secrets() -> dict[str, Any]:
    """Streamlit secrets as a plain dict ({} when there is no secrets file)."""
    try:
        if not st.secrets.load_if_toml_exists():
            return {}
        return st.secrets.to_dict()
    except Exception:  # noqa: BLE001 - unreadable secrets must not break the page
        _LOG.warning("Streamlit secrets could not be read; editing stays disabled")
        return {}


def oidc_providers(auth_section: object) -> list[str | None]:
    """The providers an ``[auth]`` section configures: None for the default one, else names."""
    if not isinstance(auth_section, Mapping) or not auth_section:
        return []
    providers: list[str | None] = []
    if "client_id" in auth_section or "server_metadata_url" in auth_section:
        providers.append(None)
    providers += [name for name, value in auth_section.items() if isinstance(value, Mapping)]
    return providers


def _authlib_available() -> bool:
    try:
        from streamlit.auth_util import is_authlib_installed
        return is_authlib_installed()
    except ImportError:  # pragma: no cover - older/newer streamlit layout
        return False


def _logout_password() -> None:
    name = st.session_state.pop(_SESSION, {}).get("name")
    _LOG.info("editor %r signed out", name)


def _signed_in(name: str, method: str, on_logout) -> str:
    left, right = st.columns([4, 1], vertical_alignment="center")
    left.success(tr(f"auth.signed_in_{method}", name=escape_md(name)), icon=":material/verified_user:")
    right.button(tr("auth.logout"), on_click=on_logout, key="editor_logout", icon=":material/logout:",
                 width="stretch")
    return name


def _sso_user(editor_section: Mapping[str, Any], providers: list[str | None]) -> str | None:
    """The SSO user's name if logged in and allowed (renders the signed-in bar), else None."""
    if not providers or not st.user.get("is_logged_in", False):
        return None
    email = st.user.get("email")
    name = auth.clean_editor_name(st.user.get("name")) or auth.clean_editor_name(email) or "SSO"
    if not auth.email_allowed(email, editor_section.get("allowed_emails")):
        st.warning(tr("auth.sso_not_allowed", email=escape_md(email or "")), icon=":material/block:")
        st.button(tr("auth.logout"), on_click=st.logout, key="editor_logout", icon=":material/logout:")
        return None
    return _signed_in(name, "sso", st.logout)


def _attempt(stored: str) -> None:
    """Form callback: check the password before the page reruns, then forget it.

    Running as a callback means the outcome (signed in, error, lockout) is already in the session
    when the page renders, so a lockout disables the button at once, and the password is cleared
    from the widget state before any element is drawn.
    """
    name = st.session_state.get(_NAME_KEY, "")
    password = st.session_state.get(_PASSWORD_KEY, "") or ""
    st.session_state[_PASSWORD_KEY] = ""
    limiter: auth.AttemptLimiter = st.session_state.setdefault(_LIMITER, auth.AttemptLimiter())
    clients, client = _client_limiters(), _client()
    now = time.monotonic()
    if max(limiter.remaining(now), clients.remaining(client, now)) > 0:
        return  # locked: not even checked (the button is disabled; this guards forged messages)
    editor = auth.clean_editor_name(name)
    if editor is None:
        st.session_state[_MESSAGE] = ("auth.bad_name", {"limit": auth.MAX_EDITOR_NAME_CHARS})
        return
    if auth.verify_password(password, stored):
        limiter.record_success()
        clients.success(client)
        st.session_state[_SESSION] = {"name": editor, "method": "password", "hash_id": auth.hash_id(stored)}
        st.session_state[_NAME_KEY] = ""
        _LOG.info("editor %r signed in", editor)
        return
    limiter.record_failure(now)
    clients.failure(client, now)
    _LOG.warning("failed editor sign-in (name %r)", editor)
    if max(limiter.remaining(now), clients.remaining(client, now)) <= 0:
        st.session_state[_MESSAGE] = ("auth.wrong_password", {"left": limiter.attempts_left()})


def _password_form(stored: str) -> None:
    try:
        auth.parse_hash(stored)
    except auth.InvalidHash as error:
        st.error(tr("auth.bad_hash", reason=escape_md(str(error))), icon=":material/error:")
        return
    limiter: auth.AttemptLimiter = st.session_state.setdefault(_LIMITER, auth.AttemptLimiter())
    now = time.monotonic()
    wait = max(limiter.remaining(now), _client_limiters().remaining(_client(), now))
    with st.form(_FORM, enter_to_submit=True):
        st.markdown(f"**{tr('auth.form_title')}**")
        st.text_input(tr("auth.name"), max_chars=auth.MAX_EDITOR_NAME_CHARS, autocomplete="name", key=_NAME_KEY)
        st.text_input(tr("auth.password"), type="password", max_chars=1024, autocomplete="current-password",
                      key=_PASSWORD_KEY)
        st.form_submit_button(tr("auth.login"), icon=":material/login:", disabled=wait > 0,
                              on_click=_attempt, args=(stored,))
    message = st.session_state.pop(_MESSAGE, None)
    if wait > 0:
        st.warning(tr("auth.locked", seconds=math.ceil(wait)), icon=":material/lock_clock:")
    elif message is not None:
        key, params = message
        st.error(tr(key, **params), icon=":material/error:")


def editor_gate() -> str | None:
    """Render the sign-in (or the read-only note) and return the editor's name, or None."""
    secrets = _secrets()
    editor_section = secrets.get(auth.SECRETS_SECTION)
    editor_section = editor_section if isinstance(editor_section, Mapping) else {}
    providers = oidc_providers(secrets.get("auth"))
    stored = auth.configured_hash(editor_section)

    if not providers and stored is None:
        st.session_state.pop(_SESSION, None)
        st.info(tr("auth.disabled"), icon=":material/lock:")
        with st.expander(tr("auth.enable_title"), icon=":material/admin_panel_settings:"):
            st.markdown(tr("auth.enable_howto", env=auth.ENV_VAR))
        return None

    sso_name = _sso_user(editor_section, providers)
    if sso_name is not None:
        return sso_name
    if providers and st.user.get("is_logged_in", False):
        return None  # logged in through SSO but not on the allow-list (message shown)

    session = st.session_state.get(_SESSION)
    if session and stored is not None and session.get("hash_id") == auth.hash_id(stored):
        return _signed_in(session["name"], "password", _logout_password)
    st.session_state.pop(_SESSION, None)  # signed out, or the password was changed/removed

    st.info(tr("auth.required"), icon=":material/lock:")
    if providers:
        if not _authlib_available():
            st.warning(tr("auth.sso_needs_authlib"), icon=":material/warning:")
        else:
            for provider in providers:
                label = tr("auth.sso_login") if provider is None else tr("auth.sso_login_with", provider=provider)
                st.button(label, on_click=st.login, args=() if provider is None else (provider,),
                          key=f"editor_sso_{provider or 'default'}", icon=":material/badge:")
    if stored is not None:
        _password_form(stored)
    return None
