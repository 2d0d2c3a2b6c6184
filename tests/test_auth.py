"""Editor credentials: hashing, constant-time verification, configuration, attempt limiting, CLI."""

from __future__ import annotations

import base64
import hmac
import subprocess
import sys

import pytest

from dashboard import auth

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def stored() -> str:
    return auth.hash_password(PASSWORD)


def test_hash_format_is_self_describing_and_salted(stored):
    scheme, params, salt, digest = stored.split("$")
    assert scheme == "scrypt"
    assert params == f"n={auth.SCRYPT_N},r={auth.SCRYPT_R},p={auth.SCRYPT_P}"
    assert len(base64.b64decode(salt)) == auth.SALT_BYTES
    assert len(base64.b64decode(digest)) == auth.KEY_BYTES
    assert PASSWORD not in stored
    # A fresh salt every time: the same password never gives the same hash.
    assert auth.hash_password(PASSWORD) != stored


def test_same_salt_gives_same_hash():
    salt = b"0123456789abcdef"
    assert auth.hash_password("pw-1", salt=salt) == auth.hash_password("pw-1", salt=salt)
    assert auth.hash_password("pw-1", salt=salt) != auth.hash_password("pw-2", salt=salt)


@pytest.mark.parametrize("scheme", ["scrypt", "pbkdf2_sha256"])
def test_verify_accepts_only_the_right_password(scheme):
    stored = auth.hash_password(PASSWORD, scheme=scheme)
    assert stored.startswith(scheme + "$")
    assert auth.verify_password(PASSWORD, stored)
    for wrong in ("", "correct horse battery stapl", PASSWORD + " ", PASSWORD.upper(), "x" * 5000):
        assert not auth.verify_password(wrong, stored)


def test_verify_uses_constant_time_comparison(stored, monkeypatch):
    calls = []
    original = hmac.compare_digest

    def spy(a, b):
        calls.append((len(a), len(b)))
        return original(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    assert auth.verify_password(PASSWORD, stored)
    assert not auth.verify_password("nope", stored)
    assert calls == [(auth.KEY_BYTES, auth.KEY_BYTES)] * 2


def test_korean_password_is_normalised():
    # The same Hangul syllable typed precomposed (NFC) or as jamo (NFD) must match.
    import unicodedata

    password = "과학기술정보통신부-편집자"
    stored = auth.hash_password(unicodedata.normalize("NFC", password))
    assert auth.verify_password(unicodedata.normalize("NFD", password), stored)


@pytest.mark.parametrize("bad", [
    "", "plain-password", "scrypt$n=16384,r=8,p=1$abc", "md5$x$y$z",
    "scrypt$n=16384,r=8$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 44,
    "scrypt$n=1000,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 44,     # n not a power of two
    "scrypt$n=1073741824,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 44,  # memory bomb
    "pbkdf2_sha256$i=999999999$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 44,    # CPU bomb
    "scrypt$n=16384,r=8,p=1$!!notbase64!!$" + "A" * 44,
    "scrypt$n=16384,r=8,p=1$AAAA$" + "A" * 44,                          # salt too short
    "scrypt$n=sixteen,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 44,
])
def test_malformed_or_dangerous_hash_is_rejected(bad):
    with pytest.raises(auth.InvalidHash) as error:
        auth.verify_password(PASSWORD, bad)
    assert PASSWORD not in str(error.value)


def test_hash_rejects_empty_or_huge_password():
    with pytest.raises(ValueError):
        auth.hash_password("")
    with pytest.raises(ValueError):
        auth.hash_password("x" * 5000)


def test_configured_hash_prefers_environment(stored):
    section = {"password_hash": "scrypt$from-secrets"}
    assert auth.configured_hash(None, {}) is None
    assert auth.configured_hash({}, {auth.ENV_VAR: "  "}) is None
    assert auth.configured_hash({"password_hash": ""}, {}) is None
    assert auth.configured_hash(section, {}) == "scrypt$from-secrets"
    assert auth.configured_hash(section, {auth.ENV_VAR: stored}) == stored
    assert auth.configured_hash({"password_hash": 42}, {}) is None


def test_hash_id_changes_with_the_hash(stored):
    other = auth.hash_password(PASSWORD)
    assert auth.hash_id(stored) == auth.hash_id(stored)
    assert auth.hash_id(stored) != auth.hash_id(other)
    assert len(auth.hash_id(stored)) == 16


@pytest.mark.parametrize(("raw", "clean"), [
    ("  Kim  Analyst ", "Kim Analyst"), ("김분석", "김분석"), ("", None), ("   ", None),
    ("x" * 81, None), ("a\x00b", None), ("a\u202eb", None), (None, None), (42, None),
])
def test_clean_editor_name(raw, clean):
    assert auth.clean_editor_name(raw) == clean


def test_email_allow_list():
    assert auth.email_allowed("a@msit.go.kr", None)
    assert auth.email_allowed("A@MSIT.go.kr", ["a@msit.go.kr"])
    assert auth.email_allowed("b@msit.go.kr", ["@msit.go.kr"])
    assert auth.email_allowed("b@msit.go.kr", "@msit.go.kr")
    assert not auth.email_allowed("b@evil.example", ["@msit.go.kr"])
    assert not auth.email_allowed("b@evil.example@msit.go.kr.evil", ["@msit.go.kr"])
    assert not auth.email_allowed(None, ["@msit.go.kr"])


def test_limiter_locks_after_five_failures_and_backs_off_exponentially():
    limiter = auth.AttemptLimiter(max_attempts=5, base_lockout=30, max_lockout=100)
    now = 1000.0
    for left in (4, 3, 2, 1):
        assert limiter.allowed(now)
        assert limiter.record_failure(now) == 0
        assert limiter.attempts_left() == left
    assert limiter.record_failure(now) == 30
    assert not limiter.allowed(now + 29.9)
    assert limiter.remaining(now + 20) == pytest.approx(10)
    assert limiter.allowed(now + 30)
    now += 30
    for _ in range(4):
        limiter.record_failure(now)
    assert limiter.record_failure(now) == 60  # doubled
    now += 60
    for _ in range(4):
        limiter.record_failure(now)
    assert limiter.record_failure(now) == 100  # capped
    limiter.record_success()
    assert limiter.allowed(now) and limiter.attempts_left() == 5 and limiter.lockouts == 0


def _cli(*args: str, stdin: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "dashboard.auth", *args], input=stdin, text=True,
                          capture_output=True, timeout=60, env={**os.environ, **(env or {})})


def test_cli_hash_and_verify_never_echo_the_password():
    made = _cli("hash", stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    stored = made.stdout.strip()
    assert auth.verify_password(PASSWORD, stored)
    assert PASSWORD not in made.stdout + made.stderr
    assert auth.ENV_VAR in made.stderr and "[editor]" in made.stderr

    good = _cli("verify", stdin=PASSWORD + "\n", env={auth.ENV_VAR: stored})
    bad = _cli("verify", stdin="wrong\n", env={auth.ENV_VAR: stored})
    assert (good.returncode, good.stdout.strip()) == (0, "match")
    assert (bad.returncode, bad.stdout.strip()) == (1, "no match")
    assert PASSWORD not in good.stdout + good.stderr


def test_cli_refuses_short_or_empty_password():
    assert _cli("hash", stdin="short\n").returncode == 2
    assert _cli("hash", stdin="\n").returncode == 2
    assert _cli("hash", "--allow-short", stdin="short\n").returncode == 0


def test_no_credentials_in_the_repository():
    """No password hash, OIDC secret or secrets.toml is committed."""
    from dashboard.paths import ROOT

    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    names = tracked.stdout.split()
    assert not [n for n in names if n.endswith("secrets.toml")]
    grep = subprocess.run(["git", "grep", "-l", "-E", r"(scrypt|pbkdf2_sha256)\$[a-z]=\d+[^$]*\$[A-Za-z0-9+/]{16,}={0,2}\$",
                           "--", ".", ":!tests/*"], cwd=ROOT, capture_output=True, text=True)
    assert grep.stdout == ""
    ignored = subprocess.run(["git", "check-ignore", "-q", ".streamlit/secrets.toml"], cwd=ROOT)
    assert ignored.returncode == 0


@pytest.mark.parametrize(("lang", "command", "words"), [
    ("en", "--help", "filesystem permissions"), ("ko", "--help", "쓰기 권한"), ("en", "rollback", "filesystem permissions"),
])
def test_cli_write_commands_say_how_they_are_authorised(lang, command, words):
    """The CLI acts on the local store: its help says that folder permissions are the guard."""
    import os

    args = [command] if command == "--help" else [command, "--help"]
    shown = subprocess.run([sys.executable, "-m", "dashboard", *args], capture_output=True, text=True,
                           timeout=60, env={**os.environ, "DASHBOARD_LANG": lang})
    assert shown.returncode == 0, shown.stderr
    assert words in " ".join(shown.stdout.split()), shown.stdout[-400:]
