"""Editor credentials: salted password hashes, constant-time checks, failed-attempt limits.

Viewing the dashboard needs no login; upload, publish and rollback need an editor. The editor
password is configured outside the repository, as a salted hash only:

* the environment variable ``DASHBOARD_EDITOR_PASSWORD_HASH`` (wins when set), or
* Streamlit secrets (``.streamlit/secrets.toml``, never committed)::

      [editor]
      password_hash = "scrypt$n=16384,r=8,p=1$<salt>$<hash>"

Make a hash with ``python -m dashboard.auth hash`` (reads the password without echo, or from
stdin when piped). Single sign-on through Streamlit's ``st.login`` (an ``[auth]`` section in the
secrets) is the other route; see ``dashboard.ui.auth``.

This module is pure (stdlib only, no streamlit): the UI layer reads secrets and passes them in.
The password itself is never stored, logged or returned; only its hash is compared, with
``hmac.compare_digest``.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import getpass
import hashlib
import hmac
import os
import secrets
import sys
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

ENV_VAR = "DASHBOARD_EDITOR_PASSWORD_HASH"
SECRETS_SECTION = "editor"
SECRETS_KEY = "password_hash"

# scrypt: 16 MiB of memory and ~50 ms per check on a small server; parameters are stored in the
# hash so they can be raised later without invalidating existing hashes.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
PBKDF2_ITERATIONS = 600_000
SALT_BYTES = 16
KEY_BYTES = 32
# Bounds on parameters read from configuration, so a bad hash cannot exhaust memory or CPU.
_MAX_SCRYPT_N, _MAX_SCRYPT_R, _MAX_SCRYPT_P = 2**20, 32, 16
_MAX_PBKDF2_ITERATIONS = 10_000_000
_MAX_PASSWORD_CHARS = 1024

MIN_PASSWORD_CHARS = 12
MAX_EDITOR_NAME_CHARS = 80


class InvalidHash(ValueError):
    """The configured password hash is not in a format this module produces."""


@dataclass(frozen=True)
class ParsedHash:
    scheme: str  # "scrypt" or "pbkdf2_sha256"
    params: dict[str, int]
    salt: bytes
    digest: bytes


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as error:
        raise InvalidHash("salt or digest is not base64") from error


def _normalise(password: str) -> bytes:
    # NFKC so that the same password typed on different keyboards/IMEs (e.g. Korean) matches.
    return unicodedata.normalize("NFKC", password).encode("utf-8")


def _derive(scheme: str, params: Mapping[str, int], password: str, salt: bytes, length: int) -> bytes:
    secret = _normalise(password)
    if scheme == "scrypt":
        n, r, p = params["n"], params["r"], params["p"]
        return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, dklen=length, maxmem=256 * n * r * p + 2**20)
    return hashlib.pbkdf2_hmac("sha256", secret, salt, params["i"], dklen=length)


def hash_password(password: str, *, scheme: str = "scrypt", salt: bytes | None = None) -> str:
    """A self-describing salted hash: ``scrypt$n=..,r=..,p=..$<salt_b64>$<hash_b64>``.

    ``scheme="pbkdf2_sha256"`` gives ``pbkdf2_sha256$i=600000$<salt_b64>$<hash_b64>`` for
    platforms whose OpenSSL lacks scrypt.
    """
    if not isinstance(password, str) or not password:
        raise ValueError("the password must be a non-empty string")
    if len(password) > _MAX_PASSWORD_CHARS:
        raise ValueError(f"the password is longer than {_MAX_PASSWORD_CHARS} characters")
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    if scheme == "scrypt":
        params = {"n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P}
    elif scheme == "pbkdf2_sha256":
        params = {"i": PBKDF2_ITERATIONS}
    else:
        raise ValueError(f"unknown scheme {scheme!r}")
    digest = _derive(scheme, params, password, salt, KEY_BYTES)
    text_params = ",".join(f"{key}={value}" for key, value in params.items())
    return f"{scheme}${text_params}${_b64encode(salt)}${_b64encode(digest)}"


def parse_hash(stored: str) -> ParsedHash:
    """Parse and bound-check a stored hash; raises InvalidHash with a reason (never the hash)."""
    if not isinstance(stored, str):
        raise InvalidHash("the password hash must be a string")
    parts = stored.strip().split("$")
    if len(parts) != 4:
        raise InvalidHash("expected 4 fields separated by '$': scheme$params$salt$hash")
    scheme, text_params, salt_text, digest_text = parts
    try:
        params = dict((key, int(value)) for key, value in
                      (item.split("=", 1) for item in text_params.split(",") if item))
    except ValueError as error:
        raise InvalidHash("parameters must look like n=16384,r=8,p=1") from error
    if scheme == "scrypt":
        if set(params) != {"n", "r", "p"}:
            raise InvalidHash("scrypt needs parameters n, r and p")
        n, r, p = params["n"], params["r"], params["p"]
        if not (2 <= n <= _MAX_SCRYPT_N and n & (n - 1) == 0 and 1 <= r <= _MAX_SCRYPT_R
                and 1 <= p <= _MAX_SCRYPT_P):
            raise InvalidHash("scrypt parameters out of range")
    elif scheme == "pbkdf2_sha256":
        if set(params) != {"i"} or not 1_000 <= params["i"] <= _MAX_PBKDF2_ITERATIONS:
            raise InvalidHash("pbkdf2_sha256 needs an iteration count i between 1000 and 10000000")
    else:
        raise InvalidHash("unknown scheme (expected scrypt or pbkdf2_sha256)")
    salt, digest = _b64decode(salt_text), _b64decode(digest_text)
    if len(salt) < 8 or not 16 <= len(digest) <= 64:
        raise InvalidHash("salt or digest too short")
    return ParsedHash(scheme, params, salt, digest)


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches `stored` (compared in constant time).

    A malformed `stored` hash raises InvalidHash (a configuration error the UI reports);
    a wrong, empty or absurdly long password simply returns False.
    """
    parsed = parse_hash(stored)
    if not isinstance(password, str) or not password or len(password) > _MAX_PASSWORD_CHARS:
        # Still spend the same work so that timing does not reveal why the check failed.
        _derive(parsed.scheme, parsed.params, "x", parsed.salt, len(parsed.digest))
        return False
    candidate = _derive(parsed.scheme, parsed.params, password, parsed.salt, len(parsed.digest))
    return hmac.compare_digest(candidate, parsed.digest)


def configured_hash(secrets_section: Mapping[str, object] | None = None,
                    environ: Mapping[str, str] | None = None) -> str | None:
    """The configured editor password hash, or None when password editing is not configured.

    `secrets_section` is the ``[editor]`` table of Streamlit secrets (the UI passes it in);
    the environment variable wins over it. Empty values count as not configured.
    """
    env = os.environ if environ is None else environ
    value = (env.get(ENV_VAR) or "").strip()
    if value:
        return value
    if secrets_section:
        secret = secrets_section.get(SECRETS_KEY)
        if isinstance(secret, str) and secret.strip():
            return secret.strip()
    return None


def hash_id(stored: str) -> str:
    """A short, non-reversible id of the configured hash (to notice that it was changed)."""
    return hashlib.sha256(stored.encode("utf-8")).hexdigest()[:16]


def clean_editor_name(name: object) -> str | None:
    """The editor's display name, trimmed; None if empty, too long or containing control characters."""
    if not isinstance(name, str):
        return None
    text = unicodedata.normalize("NFC", " ".join(name.split()))
    if not text or len(text) > MAX_EDITOR_NAME_CHARS:
        return None
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        return None
    return text


def email_allowed(email: object, allowed: object) -> bool:
    """SSO users may edit when no allow-list is configured, or when their e-mail (or its
    ``@domain``) is on the ``[editor] allowed_emails`` list."""
    if not allowed:
        return True
    if isinstance(allowed, str):
        allowed = [allowed]
    if not isinstance(email, str) or "@" not in email:
        return False
    address = email.strip().lower()
    domain = "@" + address.rsplit("@", 1)[1]
    entries = {str(item).strip().lower() for item in allowed}  # type: ignore[union-attr]
    return address in entries or domain in entries


@dataclass
class AttemptLimiter:
    """Failed-login limiter for one session: after `max_attempts` failures the session is locked
    for `base_lockout` seconds, doubling with every further lockout up to `max_lockout`.

    Times are passed in (``time.monotonic()`` in the app) so that the limiter is pure and testable.
    """

    max_attempts: int = 5
    base_lockout: float = 30.0
    max_lockout: float = 900.0
    failures: int = 0
    lockouts: int = 0
    locked_until: float = field(default=0.0)

    def remaining(self, now: float) -> float:
        """Seconds until the next attempt is allowed (0 when allowed now)."""
        return max(0.0, self.locked_until - now)

    def allowed(self, now: float) -> bool:
        return self.remaining(now) <= 0

    def record_failure(self, now: float) -> float:
        """Count a failed attempt; returns the lockout (seconds) it started, or 0."""
        self.failures += 1
        if self.failures < self.max_attempts:
            return 0.0
        lockout = min(self.max_lockout, self.base_lockout * 2 ** self.lockouts)
        self.lockouts += 1
        self.failures = 0
        self.locked_until = now + lockout
        return lockout

    def attempts_left(self) -> int:
        return self.max_attempts - self.failures

    def record_success(self) -> None:
        self.failures = 0
        self.lockouts = 0
        self.locked_until = 0.0


# ---------------------------------------------------------------------------------------------
# CLI: python -m dashboard.auth hash | verify

def _read_password(confirm: bool) -> str:
    if sys.stdin.isatty():
        password = getpass.getpass("Editor password: ")
        if confirm and getpass.getpass("Repeat: ") != password:
            raise SystemExit("the two passwords differ")
        return password
    return sys.stdin.readline().rstrip("\r\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard.auth",
        description="Make or check the editor password hash. The password is read without echo "
                    "(or from stdin when piped) and never printed.")
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("hash", help="print a salted hash for DASHBOARD_EDITOR_PASSWORD_HASH "
                                            "or [editor] password_hash in .streamlit/secrets.toml")
    make.add_argument("--scheme", choices=("scrypt", "pbkdf2_sha256"), default="scrypt")
    make.add_argument("--allow-short", action="store_true",
                      help=f"accept a password shorter than {MIN_PASSWORD_CHARS} characters")
    commands.add_parser("verify", help="read a password and check it against the configured hash "
                                       f"(${ENV_VAR})")
    args = parser.parse_args(argv)

    if args.command == "hash":
        password = _read_password(confirm=True)
        if not password:
            print("error: empty password", file=sys.stderr)
            return 2
        if len(password) < MIN_PASSWORD_CHARS and not args.allow_short:
            print(f"error: use at least {MIN_PASSWORD_CHARS} characters (or --allow-short)", file=sys.stderr)
            return 2
        stored = hash_password(password, scheme=args.scheme)
        print(stored)
        print("\nSet it outside the repository, either as an environment variable:\n"
              f"  export {ENV_VAR}='{stored}'\n"
              "or in .streamlit/secrets.toml (git-ignored):\n"
              f"  [{SECRETS_SECTION}]\n  {SECRETS_KEY} = \"{stored}\"", file=sys.stderr)
        return 0

    stored = configured_hash()
    if stored is None:
        print(f"error: {ENV_VAR} is not set", file=sys.stderr)
        return 2
    try:
        ok = verify_password(_read_password(confirm=False), stored)
    except InvalidHash as error:
        print(f"error: the configured hash is invalid: {error}", file=sys.stderr)
        return 2
    print("match" if ok else "no match")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
