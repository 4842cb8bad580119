"""Weaviate backend pieces that need no server; live behaviour is in the contract suite."""

from __future__ import annotations

import pytest

from tests.tools.catalogs import small_catalog
from tools.documents import catalog_documents
from tools.retriever import RetrievalError, make_retriever
from tools.weaviate_index import connect, object_properties, tenant_name


def test_tenant_names_are_valid_weaviate_tenants() -> None:
    assert tenant_name(small_catalog(instance="acme-prod_1")) == "acme-prod_1"
    assert tenant_name(small_catalog(instance="acme prod/eu é")) == "acme_prod_eu__"
    assert len(tenant_name(small_catalog(instance="x" * 200))) == 64


def test_object_properties_carry_text_and_keys() -> None:
    doc = next(d for d in catalog_documents(small_catalog())["choice"]
               if d.key == ("incident", "state", "6"))
    props = object_properties(doc)
    assert (props["k0"], props["k1"], props["k2"]) == ("incident", "state", "6")
    assert props["label"] == "Resolved"


def test_missing_url_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEAVIATE_URL", raising=False)
    with pytest.raises(RetrievalError, match="WEAVIATE_URL not set"):
        connect()
    with pytest.raises(RetrievalError, match="WEAVIATE_URL not set"):
        make_retriever(small_catalog(), "weaviate")


def test_unreachable_server_is_a_one_line_error() -> None:
    with pytest.raises(RetrievalError) as info:
        connect("http://127.0.0.1:9", grpc_port=9)
    assert "cannot connect to Weaviate" in str(info.value)
    assert "\n" not in str(info.value)


def test_factory_rejects_unknown_backends_and_options() -> None:
    with pytest.raises(RetrievalError, match="unknown retrieval backend"):
        make_retriever(small_catalog(), "elastic")  # type: ignore[arg-type]
    with pytest.raises(RetrievalError, match="bad options"):
        make_retriever(small_catalog(), "sqlite", colour="blue")
