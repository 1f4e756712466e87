"""Database constraints shared by every app: status and kind fields hold only their declared choices."""

from django.db import models


def choices_constraint(
    field: str, choices: type[models.Choices], name: str, *, allow_blank: bool = False
) -> models.CheckConstraint:
    """A CHECK constraint keeping `field` within `choices` (and "" when `allow_blank`)."""
    values = list(choices.values)
    if allow_blank:
        values.append("")
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": values}), name=name)


def ordered_range_constraint(low: str, high: str, name: str) -> models.CheckConstraint:
    """Low never above high, and neither negative; either may be unknown (NULL)."""
    return models.CheckConstraint(
        condition=(
            (models.Q(**{f"{low}__isnull": True}) | models.Q(**{f"{low}__gte": 0}))
            & (models.Q(**{f"{high}__isnull": True}) | models.Q(**{f"{high}__gte": 0}))
            & (
                models.Q(**{f"{low}__isnull": True})
                | models.Q(**{f"{high}__isnull": True})
                | models.Q(**{f"{low}__lte": models.F(high)})
            )
        ),
        name=name,
    )
