"""Writes for project members: add by username or e-mail, change a role, remove. A project
always keeps at least one owner."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q

from modeler.web.editing import Refused
from modeler.web.models import Membership, Project

ROLES: tuple[str, ...] = tuple(Membership.Role.values)


def _user_for(identifier: str) -> User:
    """The active user whose username or e-mail is ``identifier`` (case-insensitive)."""
    text = identifier.strip()
    if not text:
        raise Refused(["Give a username or an e-mail address."])
    users = list(get_user_model().objects.filter(
        Q(username__iexact=text) | Q(email__iexact=text), is_active=True)[:2])
    if not users:
        raise Refused([f"No user with the username or e-mail {text!r}."])
    if len(users) > 1:
        raise Refused([f"More than one user matches {text!r}; use the username."])
    user: User = users[0]
    return user


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise Refused([f"Unknown role {role!r}; choose one of {', '.join(ROLES)}."])


def _other_owners(membership: Membership) -> bool:
    return (Membership.objects.filter(project_id=membership.project_id, role="owner")
            .exclude(pk=membership.pk).exists())


def membership_add(*, project: Project, actor: User, identifier: str,
                   role: str) -> Membership:
    """Make the user named by ``identifier`` (username or e-mail) a member with ``role``."""
    _check_role(role)
    user = _user_for(identifier)
    try:
        with transaction.atomic():
            return Membership.objects.create(project=project, user=user, role=role)
    except IntegrityError as exc:
        raise Refused([f"{user.get_username()} is already a member of this project."]) from exc


@transaction.atomic
def membership_change_role(*, membership: Membership, actor: User,
                           role: str) -> Membership:
    """Give a member another role; the last owner cannot be demoted."""
    _check_role(role)
    # Lock the project's owner rows so two owners cannot demote each other at once.
    list(Membership.objects.select_for_update().filter(project_id=membership.project_id,
                                                      role="owner"))
    membership.refresh_from_db()
    if membership.role == "owner" and role != "owner" and not _other_owners(membership):
        raise Refused(["A project needs at least one owner: make someone else owner first."])
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    """Remove a member; the last owner cannot be removed."""
    list(Membership.objects.select_for_update().filter(project_id=membership.project_id,
                                                      role="owner"))
    membership.refresh_from_db()
    if membership.role == "owner" and not _other_owners(membership):
        raise Refused(["A project needs at least one owner: make someone else owner first."])
    membership.delete()
