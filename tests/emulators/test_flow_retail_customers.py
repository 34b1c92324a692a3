"""Flow Retail emulator: the customer object, seed data, list, CRUD, store view, extensions,
export (README 2.2-2.4)."""

from __future__ import annotations

import re
from typing import Any, Final

import pytest

from customer_gateway.emulators.flow_retail import FlowError, FlowRetailEmulator
from customer_gateway.emulators.flow_retail.formats import norwegian_key, parse_timestamp

from .test_flow_retail_http import (
    ACCESS_ONLY,
    BERGEN,
    OSLO,
    FakeClock,
    client,
    customers_path,
    make_emulator,
)

pytestmark = pytest.mark.anyio

TIMESTAMP: Final = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
REFERENCE: Final = parse_timestamp("2025-07-31T00:00:00.000Z")
DOCUMENTED_KEYS: Final = {
    "customerUid", "customerType", "firstname", "lastname", "displayName", "companyName",
    "email", "mobile", "address", "postalCode", "city", "countryCode", "vatNumber",
    "ledgerNumber", "pricelistUid", "externalId", "origin", "loyaltyId", "paymentTerms",
    "internalNote", "credit", "accountManager", "addresses", "contacts", "extensions",
    "consents", "createdAt", "lastModifiedAt",
}  # fmt: skip
OLA: Final = {
    "customerType": "PERSON",
    "firstname": "Ola",
    "lastname": "Hansen",
    "email": "ola@example.no",
    "mobile": "+4790000001",
    "address": "Kirkegata 5",
    "postalCode": "7011",
    "city": "Trondheim",
    "countryCode": "NO",
    "customerGroupUids": ["vip"],
}


# -- seed data ---------------------------------------------------------------------------------
def test_seed_is_deterministic_and_differs_per_tenant_and_seed() -> None:
    one = FlowRetailEmulator(customers=30, clock=FakeClock())
    again = FlowRetailEmulator(customers=30, clock=FakeClock())
    other_seed = FlowRetailEmulator(seed=2, customers=30, clock=FakeClock())
    assert one.customer_objects(OSLO) == again.customer_objects(OSLO)
    assert one.group_objects(BERGEN) == again.group_objects(BERGEN)
    oslo_uids = {c["customerUid"] for c in one.customer_objects(OSLO)}
    bergen_uids = {c["customerUid"] for c in one.customer_objects(BERGEN)}
    assert not oslo_uids & bergen_uids
    assert one.customer_objects(OSLO) != other_seed.customer_objects(OSLO)
    assert one.store_objects(OSLO) != one.store_objects(BERGEN)


def test_seed_customers_look_norwegian_and_are_well_formed() -> None:
    emulator = FlowRetailEmulator(clock=FakeClock())
    customers = emulator.customer_objects(OSLO)
    assert len(customers) == 300
    groups = {g["customerGroupUid"] for g in emulator.group_objects(OSLO)}
    assert {"vip", "bedrift", "ansatte", "stamkunde"} <= groups
    for customer in customers:
        assert set(customer) >= DOCUMENTED_KEYS
        assert TIMESTAMP.match(customer["createdAt"])
        assert TIMESTAMP.match(customer["lastModifiedAt"])
        assert customer["createdAt"] <= customer["lastModifiedAt"]
        assert parse_timestamp(customer["lastModifiedAt"]) < REFERENCE
        assert set(customer["customerGroupUids"]) <= groups
        if customer["ledgerNumber"] is not None:
            assert customer["ledgerNumber"].isdigit()
        if customer["customerType"] == "COMPANY":
            assert customer["displayName"] == customer["companyName"]
        else:
            assert customer["displayName"] == f"{customer['firstname']} {customer['lastname']}"
    countries = {c["countryCode"] for c in customers}
    assert countries == {"NO", "SE", "DK"}
    norwegian = [c for c in customers if c["countryCode"] == "NO"]
    assert all(re.fullmatch(r"\+47[49]\d{7}", c["mobile"]) for c in norwegian if c["mobile"])
    assert all(re.fullmatch(r"\d{4}", c["postalCode"]) for c in norwegian)
    assert any(set("æøåÆØÅ") & set(c["displayName"]) for c in customers)
    assert any(c["ledgerNumber"] and c["ledgerNumber"].startswith("0") for c in customers)
    assert sum(len(c["customerGroupUids"]) > 1 for c in customers) >= 10
    companies = [c for c in customers if c["customerType"] == "COMPANY"]
    assert len(companies) >= 30
    assert any(c["contacts"] for c in companies)
    assert any(c["credit"] and c["paymentTerms"] for c in companies)
    two = [c for c in companies if c["extensions"]]
    assert two
    assert all(e["extensionCode"] == "TWO_INVOICE" for c in two for e in c["extensions"])
    assert any(c["consents"] for c in customers)
    assert any(c["externalId"] for c in customers)
    assert len({c["mobile"] for c in customers if c["mobile"]}) == sum(
        1 for c in customers if c["mobile"]
    )


def test_add_customer_direct_insert() -> None:
    emulator = make_emulator()
    added = emulator.add_customer(
        OSLO,
        customerUid="c-test-1",
        firstname="Åse",
        lastname="Ødegård",
        createdAt="2020-01-02T03:04:05.006Z",
        contacts=[],
        credit={"limit": 1000, "balance": 0},
    )
    assert added["customerUid"] == "c-test-1"
    assert added["displayName"] == "Åse Ødegård"
    assert added["lastModifiedAt"] == "2020-01-02T03:04:05.006Z"
    assert emulator.customer_objects(OSLO)[-1] == added
    with pytest.raises(FlowError) as error:
        emulator.add_customer(OSLO, firstname="Ola")
    assert error.value.status == 400
    with pytest.raises(TypeError):
        emulator.add_customer(OSLO, firstname="Ola", lastname="N", shoeSize=44)


# -- list --------------------------------------------------------------------------------------
async def test_list_pages_with_the_documented_envelope() -> None:
    emulator = make_emulator(customers=45)
    everyone = emulator.customer_objects(OSLO)
    async with client(emulator) as api:
        default = (await api.get(customers_path())).json()
        third = (await api.get(customers_path(), params={"pageNumber": 3, "pageSize": 20})).json()
        beyond = (await api.get(customers_path(), params={"pageNumber": 9})).json()
    assert default["paging"] == {"pageNumber": 1, "pageSize": 20, "totalCount": 45}
    assert default["items"] == everyone[:20]
    assert third["paging"] == {"pageNumber": 3, "pageSize": 20, "totalCount": 45}
    assert third["items"] == everyone[40:]
    assert beyond["items"] == []


async def test_page_size_capped_and_paging_errors() -> None:
    emulator = make_emulator(customers=5, max_page_size=3)
    async with client(emulator) as api:
        capped = (await api.get(customers_path(), params={"pageSize": 5000})).json()
        zero = await api.get(customers_path(), params={"pageNumber": 0})
        text = await api.get(customers_path(), params={"pageSize": "ten"})
        direction = await api.get(customers_path(), params={"sortDirection": "UP"})
    assert capped["paging"] == {"pageNumber": 1, "pageSize": 3, "totalCount": 5}
    assert len(capped["items"]) == 3
    assert (zero.status_code, text.status_code, direction.status_code) == (400, 400, 400)


async def test_sort_by_fields_and_directions() -> None:
    emulator = make_emulator(customers=60)
    async with client(emulator) as api:
        by_name = await api.get(customers_path(), params={"sortBy": "lastname", "pageSize": 60})
        newest = await api.get(
            customers_path(),
            params={"sortBy": "lastModifiedAt", "sortDirection": "desc", "pageSize": 60},
        )
        by_email = await api.get(customers_path(), params={"sortBy": "email", "pageSize": 60})
        unknown = await api.get(customers_path(), params={"sortBy": "shoeSize"})
    lastnames = [c["lastname"] for c in by_name.json()["items"]]
    assert lastnames == sorted(lastnames, key=norwegian_key)
    modified = [c["lastModifiedAt"] for c in newest.json()["items"]]
    assert modified == sorted(modified, reverse=True)
    emails = [c["email"] for c in by_email.json()["items"]]
    present = [e for e in emails if e is not None]
    assert emails[: len(present)] == sorted(present, key=norwegian_key)  # nulls last
    assert unknown.status_code == 400
    assert unknown.json() == {"message": "sortBy 'shoeSize' is not a sortable field"}


async def test_norwegian_letters_sort_after_z_and_unknown_sort_can_be_ignored() -> None:
    emulator = make_emulator(customers=0, unknown_sort="ignore")
    for last in ("Ås", "Zahl", "Øye", "Æsir", "aas", "Berg"):
        emulator.add_customer(OSLO, firstname="X", lastname=last)
    async with client(emulator) as api:
        ordered = await api.get(customers_path(), params={"sortBy": "lastname"})
        ignored = await api.get(customers_path(), params={"sortBy": "shoeSize"})
    assert [c["lastname"] for c in ordered.json()["items"]] == [
        "aas", "Berg", "Zahl", "Æsir", "Øye", "Ås"
    ]  # fmt: skip
    assert ignored.status_code == 200
    assert [c["lastname"] for c in ignored.json()["items"]][0] == "Ås"


async def test_list_filters_by_external_id() -> None:
    emulator = make_emulator()
    target = next(c for c in emulator.customer_objects(OSLO) if c["externalId"])
    async with client(emulator) as api:
        hit = await api.get(customers_path(), params={"customerExternalId": target["externalId"]})
        miss = await api.get(customers_path(), params={"customerExternalId": "ERP-none"})
    assert hit.json()["items"] == [target]
    assert hit.json()["paging"]["totalCount"] == 1
    assert miss.json()["items"] == []


# -- create, read, update, delete ---------------------------------------------------------------
async def test_create_returns_201_with_the_full_customer() -> None:
    clock = FakeClock()
    emulator = make_emulator(clock=clock)
    async with client(emulator) as api:
        created = await api.post(customers_path(), json=OLA)
        uid = created.json()["customerUid"]
        fetched = await api.get(customers_path(suffix=f"/{uid}"))
    assert created.status_code == 201
    body = created.json()
    assert {k: body[k] for k in OLA} == OLA
    assert body["displayName"] == "Ola Hansen"
    assert body["createdAt"] == body["lastModifiedAt"] == "2025-10-09T08:53:20.000Z"
    assert (body["addresses"], body["contacts"], body["extensions"], body["consents"]) == (
        [], [], [], []
    )  # fmt: skip
    assert body["companyName"] is None
    assert fetched.json() == body
    assert emulator.customer_objects(OSLO)[-1] == body


async def test_create_defaults_to_person_and_companies_display_their_name() -> None:
    emulator = make_emulator()
    async with client(emulator) as api:
        person = await api.post(customers_path(), json={"firstname": "Kari", "lastname": "Berg"})
        company = await api.post(
            customers_path(),
            json={"customerType": "COMPANY", "companyName": "Nordmann Bygg AS", "firstname": "K"},
        )
    assert person.json()["customerType"] == "PERSON"
    assert company.status_code == 201
    assert company.json()["displayName"] == "Nordmann Bygg AS"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"firstname": "Ola"}, "lastname is required"),
        ({"customerType": "COMPANY"}, "companyName is required for a COMPANY customer"),
        ({**OLA, "email": "ola(at)example.no"}, "email 'ola(at)example.no' is not a valid"),
        ({**OLA, "mobile": "+47 900 00 001"}, "mobile may only contain digits and a leading +"),
        ({**OLA, "countryCode": "NOR"}, "countryCode 'NOR' is not an ISO 3166-1 alpha-2 code"),
        ({**OLA, "ledgerNumber": "12-34"}, "ledgerNumber must contain digits only"),
        ({**OLA, "customerType": "ROBOT"}, "customerType must be one of PERSON, COMPANY"),
        ({**OLA, "customerGroupUids": ["nope"]}, "Customer group 'nope' not found"),
        ({**OLA, "paymentTerms": "14"}, "paymentTerms must be an integer number of days"),
        ({**OLA, "firstname": 7}, "firstname must be a string"),
        ({**OLA, "defaultStoreUid": "store-x"}, "Store 'store-x' not found"),
    ],
)
async def test_create_validation_errors_are_400_with_a_message(
    body: dict[str, Any], message: str
) -> None:
    emulator = make_emulator()
    async with client(emulator) as api:
        response = await api.post(customers_path(), json=body)
    assert response.status_code == 400
    assert response.json()["message"].startswith(message)
    assert len(emulator.customer_objects(OSLO)) == 40


async def test_validation_reports_every_violation_and_rules_are_configurable() -> None:
    emulator = make_emulator(person_requires_name=False, extra_customer_types=["AGREEMENT"])
    async with client(emulator) as api:
        nameless = await api.post(customers_path(), json={"email": "a@b.no"})
        agreement = await api.post(
            customers_path(), json={"customerType": "AGREEMENT", "companyName": "X AS"}
        )
        both = await api.post(customers_path(), json={"email": "x", "ledgerNumber": "A1"})
    assert nameless.status_code == 201
    assert agreement.status_code == 201
    assert both.json() == {
        "message": "email 'x' is not a valid e-mail address; ledgerNumber must contain digits only"
    }


async def test_put_is_a_partial_update_that_bumps_last_modified() -> None:
    clock = FakeClock()
    emulator = make_emulator(clock=clock)
    before = next(c for c in emulator.customer_objects(OSLO) if c["customerType"] == "PERSON")
    uid = before["customerUid"]
    async with client(emulator) as api:
        clock.now += 60
        first = await api.put(
            customers_path(suffix=f"/{uid}"),
            json={"lastname": "Fjærli", "ledgerNumber": "000123", "ehfEnabled": True},
        )
        second = await api.put(customers_path(suffix=f"/{uid}"), json={"city": "Bodø"})
        invalid = await api.put(customers_path(suffix=f"/{uid}"), json={"lastname": ""})
        missing = await api.put(customers_path(suffix="/c-none"), json={"city": "Bodø"})
    assert first.status_code == 200
    body = first.json()
    assert body["lastname"] == "Fjærli"
    assert body["ledgerNumber"] == "000123"
    assert body["ehf"] == {"enabled": True}
    assert body["displayName"] == f"{before['firstname']} Fjærli"
    assert body["email"] == before["email"]
    assert body["createdAt"] == before["createdAt"]
    assert body["lastModifiedAt"] == "2025-10-09T08:54:20.000Z"
    # Same clock reading: the stamp still moves forward.
    assert second.json()["lastModifiedAt"] == "2025-10-09T08:54:20.001Z"
    assert second.json()["lastname"] == "Fjærli"
    assert invalid.status_code == 400
    assert invalid.json() == {"message": "lastname is required"}
    assert missing.status_code == 404


async def test_delete_is_204_then_404() -> None:
    emulator = make_emulator()
    uid = emulator.customer_objects(OSLO)[3]["customerUid"]
    async with client(emulator) as api:
        deleted = await api.delete(customers_path(suffix=f"/{uid}"))
        again = await api.delete(customers_path(suffix=f"/{uid}"))
        fetched = await api.get(customers_path(suffix=f"/{uid}"))
        listing = (await api.get(customers_path())).json()
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert (again.status_code, fetched.status_code) == (404, 404)
    assert listing["paging"]["totalCount"] == 39


# -- store view, extensions, export -------------------------------------------------------------
async def test_store_view_nests_store_details() -> None:
    emulator = make_emulator()
    stores = emulator.store_objects(OSLO)
    assert len(stores) == 2
    assert all(s["city"] == "Oslo" for s in stores)
    customer = next(c for c in emulator.customer_objects(OSLO) if c["defaultStoreUid"])
    store_uid = customer["defaultStoreUid"]
    uid = customer["customerUid"]
    async with client(emulator) as api:
        view = await api.get(f"/v2/tenants/{OSLO}/stores/{store_uid}/customers/{uid}")
        unknown_store = await api.get(f"/v2/tenants/{OSLO}/stores/nowhere/customers/{uid}")
        unknown_customer = await api.get(f"/v2/tenants/{OSLO}/stores/{store_uid}/customers/c-x")
    assert view.status_code == 200
    body = view.json()
    details = body.pop("storeCustomerDetails")
    assert body == customer
    assert details["storeUid"] == store_uid
    assert details["storeName"] == next(s["name"] for s in stores if s["storeUid"] == store_uid)
    assert details["visitCount"] >= 1
    assert TIMESTAMP.match(details["lastVisitAt"])
    assert details["firstVisitAt"] <= details["lastVisitAt"]
    assert unknown_store.status_code == 404
    assert unknown_store.json() == {"message": "Store 'nowhere' not found"}
    assert unknown_customer.status_code == 404


async def test_two_invoice_extension_add_and_remove() -> None:
    clock = FakeClock()
    emulator = make_emulator(clock=clock)
    customer = next(c for c in emulator.customer_objects(OSLO) if not c["extensions"])
    uid = customer["customerUid"]
    store_uid = emulator.store_objects(OSLO)[0]["storeUid"]
    path = customers_path(suffix=f"/{uid}/extensions/TWO_INVOICE")
    async with client(emulator) as api:
        no_store = await api.post(path, json={})
        bad_store = await api.post(path, json={"storeUid": "nowhere"})
        bad_code = await api.post(
            customers_path(suffix=f"/{uid}/extensions/KLARNA"), json={"storeUid": store_uid}
        )
        added = await api.post(path, json={"storeUid": store_uid})
        twice = await api.post(path, json={"storeUid": store_uid})
        remove_no_store = await api.request("DELETE", path, json={})
        removed = await api.request("DELETE", path, json={"storeUid": store_uid})
        unknown = await api.post(
            customers_path(suffix="/c-none/extensions/TWO_INVOICE"), json={"storeUid": store_uid}
        )
    assert no_store.status_code == 400
    assert no_store.json() == {"message": "storeUid is required"}
    assert bad_store.status_code == 400
    assert bad_code.status_code == 400
    assert "KLARNA" in bad_code.json()["message"]
    assert added.status_code == 200
    extensions = added.json()["extensions"]
    assert [e["extensionCode"] for e in extensions] == ["TWO_INVOICE"]
    assert extensions[0]["organizationUid"].startswith("org-")
    assert added.json()["lastModifiedAt"] == "2025-10-09T08:53:20.000Z"
    assert twice.json()["extensions"] == extensions
    assert remove_no_store.status_code == 400
    assert removed.status_code == 204
    current = next(c for c in emulator.customer_objects(OSLO) if c["customerUid"] == uid)
    assert current["extensions"] == []
    assert unknown.status_code == 404


async def test_gdpr_export_bundles_the_customer_and_its_data() -> None:
    emulator = make_emulator(customers=120)
    names = {g["customerGroupUid"]: g["name"] for g in emulator.group_objects(OSLO)}
    customer = next(
        c
        for c in emulator.customer_objects(OSLO)
        if len(c["customerGroupUids"]) > 1 and c["consents"]
    )
    uid = customer["customerUid"]
    async with client(emulator) as api:
        export = await api.get(customers_path(suffix=f"/{uid}/export"))
        missing = await api.get(customers_path(suffix="/c-none/export"))
    assert export.status_code == 200
    body = export.json()
    assert body["customer"] == customer
    assert body["consents"] == customer["consents"]
    assert body["contacts"] == customer["contacts"]
    assert body["addresses"] == customer["addresses"]
    assert body["extensions"] == customer["extensions"]
    assert body["customerGroups"] == [
        {"customerGroupUid": g, "name": names[g]} for g in customer["customerGroupUids"]
    ]
    assert body["exportedAt"] == "2025-10-09T08:53:20.000Z"
    assert isinstance(body["storeCustomerDetails"], list)
    assert missing.status_code == 404


async def test_access_only_token_may_create_and_update() -> None:
    emulator = make_emulator()
    async with client(emulator, ACCESS_ONLY) as api:
        created = await api.post(customers_path(), json=OLA)
        uid = created.json()["customerUid"]
        updated = await api.put(customers_path(suffix=f"/{uid}"), json={"city": "Molde"})
    assert created.status_code == 201
    assert updated.json()["city"] == "Molde"
