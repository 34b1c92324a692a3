"""What EverShop 2.2.1 answers, one table each, run against the emulator by `make test`
(tests/emulators) and against the real server and the emulator by `make test-evershop`
(tests/evershop_real): the two suites cannot drift apart."""

from __future__ import annotations

from typing import Any

VARIABLE_ERRORS: list[Any] = [
        ("query($f:[FilterInput]){customers(filters:$f){total}}",
         {"f": [{"key": "page", "operation": "bogus"}]},
         'Variable "$f" got invalid value "bogus" at "f[0].operation"; Value "bogus" does not'
         ' exist in "FilterOperation" enum.'),
        ("query($f:[FilterInput]){customers(filters:$f){total}}",
         {"f": [{"key": "page", "operation": "eqq"}]},
         'Variable "$f" got invalid value "eqq" at "f[0].operation"; Value "eqq" does not'
         ' exist in "FilterOperation" enum. Did you mean the enum value "eq" or "neq"?'),
        ("query($f:[FilterInput]){customers(filters:$f){total}}",
         {"f": [{"operation": "eq"}]},
         'Variable "$f" got invalid value { operation: "eq" } at "f[0]"; Field "key" of required'
         ' type "String!" was not provided.'),
        ("query($f:[FilterInput]!){customers(filters:$f){total}}", {},
         'Variable "$f" of required type "[FilterInput]!" was not provided.'),
        ("query($id:String){customer(id:$id){uuid}}", "oops",
         "Variables must be provided as an Object where each property is a variable value."
         " Perhaps look to see if an unparsed JSON string was provided."),
    ]  # fmt: skip

UNKNOWN_CUSTOMER_IDS: list[Any] = ["00000000-0000-4000-8000-000000000000", "nope", None]  # fmt: skip

REFRESH_FAILURES: list[Any] = [
        ({}, 400, "Refresh token is required"),
        ({"refreshToken": ""}, 400, "Refresh token is required"),
        ({"refreshToken": 5}, 400, "Refresh token must be a string"),
        ({"refreshToken": "x.y.z"}, 401, "Invalid refresh token"),
    ]  # fmt: skip

CREATE_VALIDATION_ERRORS: list[Any] = [
        ({}, "must have required property 'email'"),
        ({"email": "a@example.com", "full_name": "A"}, "must have required property 'password'"),
        ({"email": "a@example.com", "password": "secret1"},
         "must have required property 'full_name'"),
        ({"email": "bad", "password": "secret1", "full_name": "A"},
         "Email must be a valid email address (e.g., user@example.com)"),
        ({"email": "ada@example", "password": "secret1", "full_name": "A"},
         "Email must be a valid email address (e.g., user@example.com)"),
        ({"email": 5, "password": "secret1", "full_name": "A"}, "Email must be a string"),
        ({"email": "a@example.com", "password": "", "full_name": "A"},
         "Password is required and cannot be empty"),
        ({"email": "a@example.com", "password": "12345", "full_name": "A"},
         "Password must be at least 6 characters"),
        ({"email": "a@example.com", "password": "secret1", "full_name": ""},
         "Full name is required and cannot be empty"),
        ({"email": "a@example.com", "password": "secret1", "full_name": 7},
         "Full name must be a string"),
        ({"email": "a@example.com", "password": "secret1", "full_name": "A", "status": 2},
         "Status must be either 0, 1, '0', or '1'"),
        ({"email": "a@example.com", "password": "secret1", "full_name": "A", "status": True},
         "Status must be a string or number"),
        ({"email": "bad", "password": ""}, "must have required property 'full_name'"),
        ({"email": "bad", "password": "secret1", "full_name": "A", "status": 9},
         "Status must be either 0, 1, '0', or '1'"),
        ({"email": "a@example.com", "password": "secret1", "full_name": "A", "uuid": "abc"},
         'invalid input syntax for type uuid: "abc"'),
        ({"email": "a@example.com", "password": "secret1", "full_name": "A", "group_id": 99},
         'insert or update on table "customer" violates foreign key constraint '
         '"FK_CUSTOMER_GROUP"'),
        ({"email": "a@example.com", "password": "secret1", "full_name": "A", "meta_data": None},
         'null value in column "meta_data" of relation "customer" violates not-null constraint'),
    ]  # fmt: skip
