"""City scoping in one place: every model holding a city's data has a QuerySet derived from
`CityScopedQuerySet` that names, in `city_lookup`, the path from the model to its kab/kota.

One deployment serves many BNN Kota offices and nothing of another city may leak, so a view
or selector never queries such a model except through one of the scoping entry points:

- `for_user(user)`: what the user may see (their city; nothing for a user without one);
  a model narrows it further for stakeholder officers in `for_officer`;
- `for_city(city_id)`: a city's rows, for code that already holds a checked city;
- `unscoped()`: deliberately across cities (national views of Admin Pusat, background jobs
  that were handed ids), so that the exception is visible in the code.

tests/kotan/test_scoping.py reads every view, selector and form module and fails on a query
of a scoped model that goes through none of them (see that test for why a static check
rather than django-scopes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Self, TypeVar

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kotan.models import User

_M = TypeVar("_M", bound=models.Model)

# The QuerySet methods through which a scoped query may go (the static check reads these):
# the three above and an empty queryset.
SCOPING_METHODS = frozenset({"for_user", "for_city", "unscoped", "none"})


class CityScopedQuerySet(models.QuerySet[_M]):
    # The lookup from the model to its kab/kota Region, e.g. "city" or "period__city".
    city_lookup: ClassVar[str] = "city"

    def for_city(self, city_id: int | None) -> Self:
        if city_id is None:
            return self.none()
        return self.filter(**{self.city_lookup: city_id})

    def for_user(self, user: User | AnonymousUser) -> Self:
        """The rows the user may see: their city's, narrowed for a stakeholder officer by
        `for_officer`. A user without a city (or an inactive one) sees none here."""
        if not getattr(user, "is_active", False):
            return self.none()
        scoped = self.for_city(getattr(user, "city_id", None))
        if getattr(user, "role", None) == "pemangku":
            return scoped.for_officer(getattr(user, "stakeholder_id", None) or 0)
        return scoped

    def for_officer(self, stakeholder_id: int) -> Self:
        """What an officer of `stakeholder_id` sees of the city's rows: by default all of
        them, like the city's staff; models holding an organisation's own data narrow it."""
        return self

    def unscoped(self) -> Self:
        """Every city's rows, on purpose."""
        return self.all()


def city_scoped_models() -> list[type[models.Model]]:
    """The installed models whose default manager scopes by city."""
    from django.apps import apps

    return [
        model
        for model in apps.get_models()
        if isinstance(model._default_manager.all(), CityScopedQuerySet)
    ]
