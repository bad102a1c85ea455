"""Every operation, called with its documented example as each kind of
caller, answers inside the document: the public gets 401 wherever a token is
needed, a member 403 wherever the document says a role is needed, an invalid
token 401 everywhere, the linked member reaches their own consent, and an
admin's writes from the examples answer as documented."""

from __future__ import annotations

import uuid

import pytest
import schemathesis

from tests.api_contract.contract_support import CHECKS, seed

CALLERS = {
    "public": None,
    "member": "member",
    "jane": "jane",  # the member linked to person 1
    "invalid": "invalid",
    "admin": "admin",  # every write, from the examples
}


def example_case(operation, headers):
    """A case built from the document's examples (path, query and body); a
    write carries an Idempotency-Key of its own."""
    parameters = operation.definition.raw.get("parameters", [])
    values = {"path": {}, "query": {}, "header": {}}
    for parameter in parameters:
        if "example" in parameter:
            values[parameter["in"]][parameter["name"]] = parameter["example"]
    if "Idempotency-Key" in values["header"]:
        headers = {**headers, "Idempotency-Key": str(uuid.uuid4())}
    kwargs = {"path_parameters": values["path"], "query": values["query"], "headers": headers}
    body = operation.definition.raw.get("requestBody")
    if body is not None:
        schema = body["content"]["application/json"]["schema"]
        name = schema["$ref"].rsplit("/", 1)[-1]
        components = operation.schema.raw_schema["components"]["schemas"]
        kwargs["body"] = components[name]["examples"][0]
        kwargs["media_type"] = "application/json"
    return operation.Case(**kwargs)


def expected(operation, who: str) -> set[int] | None:
    """The statuses this caller must get, where the document decides them."""
    security = operation.definition.raw["security"]
    public = {} in security
    refuses = "403" in operation.definition.raw["responses"]
    if who != "invalid" and {"bearer": []} not in security and not public:
        return {403}  # a reviewer's link or session, which no caller here holds
    if who == "invalid" or (who == "public" and not public):
        return {401}
    if who == "member" and operation.label == "GET /series/{slug}/retention":
        return {200}  # members of the series read its retention schedule
    if who == "member" and refuses and not operation.path.startswith("/me/"):
        return {403}  # (``/me/``: the caller's own; a member with none gets 404)
    if who == "jane" and "/people/{person_id}" in operation.path:
        # Erasure is for admins only, even of oneself.
        return {403} if operation.path.endswith("/erasure") else {200, 204}
    if who == "jane" and operation.path == "/me/subject-access":
        return {200}
    return None


def test_each_caller_gets_an_answer_inside_the_document(app, make_member, make_series):
    world = seed(app, make_member, make_series)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    documented = {
        f"{m.upper()} {p}" for p, item in schema.raw_schema["paths"].items() for m in item
    }
    # schemathesis leaves out the route it loaded the document from
    assert {operation.label for operation in operations} == documented - {"GET /openapi.json"}
    for who, token in CALLERS.items():  # the admin last: its writes change the world
        headers = {}
        if token is not None:
            headers["Authorization"] = f"Bearer {world.tokens.get(token, 'not-a-token')}"
        for operation in operations:
            case = example_case(operation, headers)
            response = case.call()
            case.validate_response(response, checks=CHECKS)
            statuses = expected(operation, who)
            if statuses is not None:
                assert response.status_code in statuses, (who, operation.label, response.text)


@pytest.mark.parametrize("app_config", [{"SEARCH_RATE_LIMIT": "1 per minute"}])
def test_a_limited_search_answers_inside_the_document(app, app_config):
    """The 429 the document promises for /search: the error shape and Retry-After."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema["/search"]["GET"]
    statuses = []
    for _ in range(2):
        case = operation.Case(query={"q": "data"})
        response = case.call()
        case.validate_response(response, checks=CHECKS)
        statuses.append(response.status_code)
    assert statuses == [200, 429]
    assert int(response.headers["retry-after"][0]) > 0
