"""Editor accounts (created from the command line only: no open sign-up) and the audit log.

Passwords are hashed with scrypt (werkzeug's default, a maintained memory-hard algorithm)
and never logged or stored in clear. A removed account is deactivated, not deleted: its
revisions and audit entries keep pointing at it. A removal, a new password and a new role
end every session of the account at once (its server-side session rows are deleted).
"""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ratecard.models import AuditEntry, User
from ratecard.services.editor_sessions import end_user_sessions

ROLES = ("editor", "admin")
PASSWORD_METHOD = "scrypt"
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
# Compared against when the username is unknown, so both cases take the same time.
_DUMMY_HASH = generate_password_hash("not a real password, only for timing", PASSWORD_METHOD)


class AccountError(Exception):
    """Something the person running the command got wrong: the message says what."""


def normalise_username(name: str) -> str:
    return name.strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, PASSWORD_METHOD)


def verify_password(user: User | None, password: str) -> bool:
    """Constant-time check (hmac.compare_digest inside werkzeug); unknown or inactive users
    cost the same work as known ones and always fail."""
    if len(password) > MAX_PASSWORD_LENGTH:
        password = password[:MAX_PASSWORD_LENGTH]
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return False
    ok = check_password_hash(user.password_hash, password)
    return ok and user.active


def password_problems(password: str) -> list[str]:
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"the password must be at most {MAX_PASSWORD_LENGTH} characters")
    if password != password.strip():
        problems.append("the password must not start or end with spaces")
    return problems


def _check_password(password: str) -> None:
    problems = password_problems(password)
    if problems:
        raise AccountError("; ".join(problems))


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == normalise_username(username)))


def active_user(session: Session, user_id: int) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.active else None


def add_user(session: Session, username: str, password: str, *, role: str = "editor",
             display_name: str | None = None) -> tuple[User, bool]:
    """Create an account; a removed account of that name is brought back.
    Returns (user, reactivated)."""
    name = normalise_username(username)
    if not USERNAME.match(name):
        raise AccountError(f"invalid username {username!r}: use 2-80 characters, lowercase "
                           "letters, digits, '.', '_' or '-', starting with a letter or digit")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    _check_password(password)
    display = (display_name or "").strip() or name
    if len(display) > 120:
        raise AccountError("the display name must be at most 120 characters")
    user = find_user(session, name)
    if user is not None and user.active:
        raise AccountError(f"user {name!r} already exists (use set-password to change "
                           "its password)")
    reactivated = user is not None
    if user is None:
        user = User(username=name, display_name=display, password_hash=hash_password(password),
                    role=role, active=True)
        session.add(user)
    else:
        user.display_name = (display_name or "").strip() or user.display_name
        user.password_hash = hash_password(password)
        user.role = role
        user.active = True
        end_user_sessions(session, user.id)
    session.flush()
    audit(session, None, "user_reactivated" if reactivated else "user_added", name,
          {"role": role}, username="cli")
    return user, reactivated


def _existing(session: Session, username: str) -> User:
    user = find_user(session, username)
    if user is None or not user.active:
        raise AccountError(f"no such user {normalise_username(username)!r}")
    return user


def remove_user(session: Session, username: str) -> User:
    user = _existing(session, username)
    user.active = False
    end_user_sessions(session, user.id)          # every open session of this user ends now
    audit(session, None, "user_removed", user.username, username="cli")
    return user


def set_password(session: Session, username: str, password: str) -> User:
    user = _existing(session, username)
    _check_password(password)
    user.password_hash = hash_password(password)
    end_user_sessions(session, user.id)          # sessions opened with the old password end
    audit(session, None, "user_password_set", user.username, username="cli")
    return user


def set_role(session: Session, username: str, role: str) -> tuple[User, bool]:
    """Give USERNAME another role; its sessions end (they were granted under the old one).
    Returns (user, changed): setting the role it already has changes nothing."""
    user = _existing(session, username)
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    if user.role == role:
        return user, False
    old, user.role = user.role, role
    end_user_sessions(session, user.id)
    audit(session, None, "user_role_set", user.username, {"old": old, "new": role},
          username="cli")
    return user, True


def audit(session: Session, user: User | None, action: str, target: str | None = None,
          detail: dict[str, object] | None = None, ip: str | None = None, *,
          username: str | None = None) -> AuditEntry:
    """Add one audit entry (the caller commits). `username` names the actor when there is
    no account (a failed login for an unknown name, the command line)."""
    entry = AuditEntry(user_id=user.id if user is not None else None,
                       username=(user.username if user is not None else username or "-")[:80],
                       action=action[:40], target=target[:300] if target else None,
                       detail=detail or None, ip=(ip or None) and ip[:64])
    session.add(entry)
    return entry
