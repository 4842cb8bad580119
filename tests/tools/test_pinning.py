"""`#table` pinning: names, labels, brackets, unknown tags and what is not a tag."""

from __future__ import annotations

import pytest

from schemas.catalog import Catalog
from tools.pinning import find_pins, pinned_tables, strip_pins


@pytest.mark.parametrize(
    ("requirement", "tables"),
    [
        ("when an #incident is created", ["incident"]),
        ("when an #Incident is created", ["incident"]),
        ("#INCIDENT", ["incident"]),
        ("approve the #change_request", ["change_request"]),
        ("approve the #Change_Request", ["change_request"]),
        ("approve the #change-request", ["change_request"]),
        ("approve the #Change Request now", ["change_request"]),
        ("approve the #[Change Request]", ["change_request"]),
        ("notify the #Group", ["sys_user_group"]),
        ("#incident then #sys_user then #incident", ["incident", "sys_user"]),
        ("#incident, #User.", ["incident", "sys_user"]),
    ],
)
def test_pinned_tables(catalog: Catalog, requirement: str, tables: list[str]) -> None:
    assert pinned_tables(requirement, catalog) == tables


@pytest.mark.parametrize("requirement", ["C# code", "issue#3", "#1 priority", "## heading",
                                         "no tags", "#", "# incident"])
def test_not_a_tag(catalog: Catalog, requirement: str) -> None:
    pins = find_pins(requirement, catalog)
    assert pins.tables == () and pins.unknown == ()


def test_unknown_tags_are_reported_not_pinned(catalog: Catalog) -> None:
    pins = find_pins("when a #vendor_contract or #incident or #[Big Thing] changes", catalog)
    assert pins.tables == ("incident",)
    assert pins.unknown == ("vendor_contract", "Big Thing")


def test_strip_pins_keeps_the_words(catalog: Catalog) -> None:
    assert strip_pins("when an #incident is created") == "when an incident is created"
    assert strip_pins("the #[Change Request] and C# issue#3") == (
        "the Change Request and C# issue#3")
    assert strip_pins("approve the #Change Request now", catalog) == (
        "approve the Change Request now")


def test_strip_pins_with_catalog_leaves_unknown_tags(catalog: Catalog) -> None:
    assert strip_pins("colour #ff0000 on #incident", catalog) == "colour #ff0000 on incident"
