"""NTRIP passwords: from SUBTERRA_NTRIP_PASSWORD, the OS keyring, or (with a warning) the URL.

A password is never printed or logged and never stored anywhere but the OS
keyring (python ``keyring``, optional).  :class:`Secret` hides it from repr/str.
"""
from __future__ import annotations

import os
import warnings

ENV_VAR = "SUBTERRA_NTRIP_PASSWORD"
KEYRING_SERVICE = "subterra-ntrip"


class Secret:
    """A password that does not show itself in reprs, f-strings or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        """The password itself (only for building the Authorization header)."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


class PasswordInUrlWarning(UserWarning):
    """A password was given inside the NTRIP URL (visible in shell history and process lists)."""


def keyring_account(user: str, host: str, port: int) -> str:
    """Keyring user name under which a caster password is stored."""
    return f"{user}@{host}:{port}"


def _from_keyring(user: str, host: str, port: int) -> str | None:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, keyring_account(user, host, port))
    except (KeyringError, RuntimeError):
        return None


def store_in_keyring(user: str, host: str, port: int, password: str) -> None:
    """Save a caster password in the OS keyring (the only place Subterra stores one)."""
    import keyring

    keyring.set_password(KEYRING_SERVICE, keyring_account(user, host, port), password)


def resolve_password(user: str | None, host: str, port: int, url_password: str | None) -> Secret | None:
    """The password to use: URL (warns), else SUBTERRA_NTRIP_PASSWORD, else the keyring, else None."""
    if url_password:
        warnings.warn("NTRIP password given in the URL: it may show in shell history and process lists; "
                      f"prefer {ENV_VAR} or the OS keyring", PasswordInUrlWarning, stacklevel=2)
        return Secret(url_password)
    if os.environ.get(ENV_VAR):
        return Secret(os.environ[ENV_VAR])
    if user:
        found = _from_keyring(user, host, port)
        if found:
            return Secret(found)
    return None
