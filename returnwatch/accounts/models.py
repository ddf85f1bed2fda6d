from collections.abc import Callable

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    """The lead organization or a partner; partners' users see their own drafts and tips."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    is_lead = models.BooleanField(_("lead organization"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    RESEARCHER = "researcher", _("Researcher")
    EDITOR = "editor", _("Editor")
    ADMIN = "admin", _("Admin")


ROLE_RANK: dict[str, int] = {Role.RESEARCHER: 1, Role.EDITOR: 2, Role.ADMIN: 3}


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("organization"),
    )
    # Set on each request's user by django-otp's middleware (api/auth.py: on a token's user).
    is_verified: Callable[[], bool]

    def has_role(self, role: str) -> bool:
        """True when the user holds `role` or a higher one (admin > editor > researcher)."""
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return ROLE_RANK.get(self.role, 0) >= ROLE_RANK[Role(role)]

    @property
    def is_researcher(self) -> bool:
        return self.has_role(Role.RESEARCHER)

    @property
    def is_editor(self) -> bool:
        return self.has_role(Role.EDITOR)

    @property
    def is_site_admin(self) -> bool:
        return self.has_role(Role.ADMIN)
