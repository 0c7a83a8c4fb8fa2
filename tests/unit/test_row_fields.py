"""Types over a row convert each field when first read, once."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from domain import models
from domain.models.base import utcnow
from schema.ids import encode_id
from schema.types.clients import Campaign, Client
from schema.types.row_fields import RowFields


def _campaign() -> models.Campaign:
    now = utcnow()
    return models.Campaign(
        id=uuid.uuid4(),
        organization_id=uuid.uuid4(),
        client_id=uuid.uuid4(),
        name="Spring",
        name_key="spring",
        budget_usd=Decimal("99.999"),
        created_at=now,
        updated_at=now,
    )


def test_fields_are_read_from_the_row_when_first_used() -> None:
    row = _campaign()
    campaign = Campaign.from_model(row)
    assert set(vars(campaign)) == {"model"}
    assert campaign.id == encode_id("Campaign", row.id)
    assert campaign.budget_usd == 100.0
    assert campaign.objective is None
    assert set(vars(campaign)) == {"model", "id", "budget_usd", "objective"}


def test_a_field_read_once_is_kept() -> None:
    row = _campaign()
    campaign = Campaign.from_model(row)
    assert campaign.name == "Spring"
    row.name = "Summer"
    assert campaign.name == "Spring"


def test_a_view_equals_the_type_built_from_the_same_values() -> None:
    row = _campaign()
    eager = Campaign(
        id=encode_id("Campaign", row.id),
        name=row.name,
        objective=None,
        status=row.status,
        budget_usd=100.0,
        created_at=row.created_at,
        updated_at=row.updated_at,
        model=row,
    )
    assert Campaign.from_model(row) == eager


def test_client_brand_colors_are_a_copy() -> None:
    now = utcnow()
    colors = ["#112233"]
    row = models.Client(
        id=uuid.uuid4(),
        organization_id=uuid.uuid4(),
        name="Acme",
        name_key="acme",
        brand_colors=colors,
        created_at=now,
        updated_at=now,
    )
    client = Client.from_model(row)
    assert client.brand_colors == colors and client.brand_colors is not colors


def test_other_attributes_are_missing_as_usual() -> None:
    campaign = Campaign.from_model(_campaign())
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = campaign.nope  # type: ignore[attr-defined]
    assert not hasattr(RowFields(), "id")
