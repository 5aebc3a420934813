"""Dynamic client registration (RFC 7591) and its management (RFC 7592), sans I/O.

Builders and parsers are driven directly; hostile answers must raise typed errors that never
show the registration access token or the client secret; a property test feeds the parser
whatever a server might send.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import oauthkit
from oauthkit import (
    ClientRegistration,
    HttpResponse,
    MalformedResponseError,
    ServerResponseError,
    TokenEndpointError,
    TokenManager,
    UsageError,
)
from oauthkit._core._steps import Purpose, SendRequest
from oauthkit._oauth2._registration import (
    build_client_delete_request,
    build_client_read_request,
    build_client_update_request,
    build_registration_request,
    parse_client_delete_response,
    parse_registration_response,
)

from ._hostile import json_objects, ok_responses, responses

ENDPOINT = "https://as.example/register"
URI = "https://as.example/register/c-1"
SECRET = "cs-5ecret-CLIENT-secret-value"
RAT = "rat-5ecret-REGISTRATION-token"
RAT2 = "rat-5ecret-ROTATED-token-2"
JSON = {"Content-Type": "application/json"}


def server_fault(exc: Exception) -> None:
    """A hostile response is never the caller's fault, and its error can be shown."""
    assert not isinstance(exc, UsageError), f"UsageError for server input: {exc}"
    assert isinstance(str(exc), str)
    assert isinstance(repr(exc), str)


def answer(data: Any, status: int = 201) -> HttpResponse:
    return HttpResponse(status, JSON, json.dumps(data).encode())


def registered(**changes: Any) -> dict[str, Any]:
    base = {
        "client_id": "c-1",
        "client_secret": SECRET,
        "registration_access_token": RAT,
        "registration_client_uri": URI,
        "client_id_issued_at": 1_700_000_000,
        "client_secret_expires_at": 0,
        "redirect_uris": ["https://rp.example/cb"],
        "client_name": "rp",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def assert_hidden(*texts: str) -> None:
    for text in texts:
        for secret in (SECRET, RAT, RAT2):
            assert secret not in text


# ---------------------------------------------------------------------- building


def test_registration_request_is_json_with_the_software_statement_unchanged() -> None:
    statement = "eyJhbGciOiJSUzI1NiJ9.eyJzb2Z0d2FyZV9pZCI6IngifQ.c2ln"
    request = build_registration_request(
        ENDPOINT,
        {"redirect_uris": ["https://rp.example/cb"], "client_name": "rp"},
        initial_access_token="iat-123",
        software_statement=statement,
    )
    assert (request.method, request.url) == ("POST", ENDPOINT)
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Authorization"] == "Bearer iat-123"
    body = json.loads(request.body or b"")
    assert body == {
        "redirect_uris": ["https://rp.example/cb"],
        "client_name": "rp",
        "software_statement": statement,
    }
    assert "iat-123" not in repr(SendRequest(request, Purpose.REGISTRATION))


@pytest.mark.parametrize(
    ("metadata", "kw"),
    [
        ({"registration_access_token": "x"}, {}),
        ({"client_id_issued_at": 1}, {}),
        ({"bad": float("nan")}, {}),
        ({"bad": object()}, {}),
        ({1: "x"}, {}),
        ("not a mapping", {}),
        ({}, {"initial_access_token": "has space"}),
        ({}, {"initial_access_token": ""}),
        ({}, {"software_statement": ""}),
    ],
)
def test_bad_registration_arguments_are_usage_errors(metadata: Any, kw: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        build_registration_request(ENDPOINT, metadata, **kw)


def test_plain_http_registration_endpoint_is_refused() -> None:
    with pytest.raises(oauthkit.InsecureTransportError):
        build_registration_request("http://as.example/register", {})


def test_management_requests_carry_the_registration_access_token() -> None:
    registration = ClientRegistration.from_dict(registered())
    read = build_client_read_request(registration)
    assert (read.method, read.url, read.body) == ("GET", URI, None)
    assert read.headers["Authorization"] == f"Bearer {RAT}"
    delete = build_client_delete_request(registration)
    assert (delete.method, delete.url) == ("DELETE", URI)
    update = build_client_update_request(
        registration, {**registration.metadata, "client_name": "new"}
    )
    assert update.method == "PUT"
    body = json.loads(update.body or b"")
    # RFC 7592 §2.2: client_id and the current secret, never the server-only members
    assert body == {
        "redirect_uris": ["https://rp.example/cb"],
        "client_name": "new",
        "client_id": "c-1",
        "client_secret": SECRET,
    }


def test_management_needs_a_uri_a_token_and_the_same_client_id() -> None:
    bare = ClientRegistration(client_id="c-1")
    with pytest.raises(UsageError, match="RFC 7592"):
        build_client_read_request(bare)
    registration = ClientRegistration.from_dict(registered())
    with pytest.raises(UsageError, match="client_id"):
        build_client_update_request(registration, {"client_id": "other"})
    with pytest.raises(UsageError, match="server"):
        build_client_update_request(registration, {"registration_client_uri": URI})
    with pytest.raises(UsageError):
        build_client_read_request("c-1")  # type: ignore[arg-type]


# ---------------------------------------------------------------------- parsing


def test_registration_answer_is_read_and_round_trips() -> None:
    result = parse_registration_response(answer(registered()), endpoint=ENDPOINT)
    assert result.client_id == "c-1"
    assert result.client_secret == SECRET
    assert result.registration_access_token == RAT
    assert result.registration_client_uri == URI
    assert result.client_id_issued_at == 1_700_000_000
    assert result.client_secret_expires_at == 0
    assert dict(result.metadata) == {
        "redirect_uris": ["https://rp.example/cb"],
        "client_name": "rp",
    }
    assert result.to_dict() == registered()
    assert ClientRegistration.from_dict(result.to_dict()) == result
    assert_hidden(repr(result), str(result))


def test_a_rotated_token_replaces_the_old_one_and_a_missing_one_is_kept() -> None:
    previous = ClientRegistration.from_dict(registered())
    rotated = parse_registration_response(
        answer(registered(registration_access_token=RAT2, client_secret=None), 200),
        previous=previous,
    )
    assert rotated.registration_access_token == RAT2
    assert rotated.client_secret == SECRET  # left out of a read answer: kept
    kept = parse_registration_response(
        answer(registered(registration_access_token=None, registration_client_uri=None), 200),
        previous=previous,
    )
    assert kept.registration_access_token == RAT
    assert kept.registration_client_uri == URI


@pytest.mark.parametrize(
    "data",
    [
        registered(client_id=None),
        registered(client_id=""),
        registered(client_id=7),
        registered(client_secret=5),
        registered(registration_access_token=["x"]),
        registered(registration_access_token="has space"),
        registered(registration_client_uri=""),
        registered(client_id_issued_at="soon"),
        registered(client_id_issued_at=True),
        registered(client_secret_expires_at=-1),
        registered(registration_client_uri="https://evil.example/steal"),
    ],
)
def test_malformed_answers_are_malformed_response_errors(data: dict[str, Any]) -> None:
    with pytest.raises(MalformedResponseError) as info:
        parse_registration_response(answer(data), endpoint=ENDPOINT)
    assert_hidden(str(info.value), repr(info.value), info.value.body_excerpt)


def test_an_answer_about_another_client_is_refused() -> None:
    previous = ClientRegistration.from_dict(registered())
    with pytest.raises(MalformedResponseError, match="another client_id"):
        parse_registration_response(answer(registered(client_id="c-2"), 200), previous=previous)


def test_a_management_uri_on_another_origin_is_refused_on_read_too() -> None:
    previous = ClientRegistration.from_dict(registered())
    other = registered(registration_client_uri="https://as.example:8443/register/c-1")
    with pytest.raises(MalformedResponseError, match="origin"):
        parse_registration_response(answer(other, 200), previous=previous)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("invalid_redirect_uri", "InvalidRedirectUriError"),
        ("invalid_client_metadata", "InvalidClientMetadataError"),
        ("invalid_software_statement", "InvalidSoftwareStatementError"),
        ("unapproved_software_statement", "UnapprovedSoftwareStatementError"),
    ],
)
def test_rfc_7591_error_codes_raise_their_classes(code: str, name: str) -> None:
    body = {"error": code, "error_description": f"no: {RAT}"}
    with pytest.raises(TokenEndpointError) as info:
        parse_registration_response(answer(body, 400), endpoint=ENDPOINT)
    assert type(info.value).__name__ == name
    assert type(info.value) is getattr(oauthkit, name)
    assert oauthkit.token_error_class(code) is type(info.value)
    assert info.value.error == code


@pytest.mark.parametrize(
    "response",
    [
        HttpResponse(500, {"Content-Type": "text/html"}, b"<html>oops</html>"),
        HttpResponse(201, {"Content-Type": "text/html"}, b"<html>ok</html>"),
        HttpResponse(201, JSON, b"[]"),
        HttpResponse(201, JSON, b'{"client_id": "a", "client_id": "b"}'),
        HttpResponse(201, JSON, b"x" * (2 << 20)),
    ],
)
def test_hostile_answers_raise_server_response_errors(response: HttpResponse) -> None:
    with pytest.raises(ServerResponseError):
        parse_registration_response(response, endpoint=ENDPOINT)


def test_delete_answer() -> None:
    assert parse_client_delete_response(HttpResponse(204, {}, b"")) is None
    with pytest.raises(TokenEndpointError) as info:
        parse_client_delete_response(HttpResponse(401, {}, b""))
    assert info.value.status_code == 401
    with pytest.raises(UsageError):
        parse_client_delete_response("204")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "data",
    [{}, {"client_id": ""}, {"client_id": "a", "client_id_issued_at": 1.5e400}, "str"],
)
def test_from_dict_refuses_what_is_not_a_registration(data: Any) -> None:
    with pytest.raises(UsageError):
        ClientRegistration.from_dict(data)


def test_the_value_validates_its_fields() -> None:
    with pytest.raises(UsageError):
        ClientRegistration(client_id="a", client_id_issued_at="x")  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        ClientRegistration(client_id="a", metadata=[])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ClientRegistration(client_id="a").metadata["x"] = 1  # type: ignore[index]


# ---------------------------------------------------------------------- flows


def test_flows_send_one_request_each_and_never_resend_a_registration() -> None:
    manager = TokenManager("registrar", clock=lambda: 1_700_000_000.0)
    flow = manager.register_client_flow(ENDPOINT, {"client_name": "rp"})
    step = next(flow)
    assert isinstance(step, SendRequest)
    assert step.purpose is Purpose.REGISTRATION
    with pytest.raises(StopIteration) as done:
        flow.send(answer(registered()))
    registration = done.value.value
    assert registration.registration_access_token == RAT

    read = manager.read_client_flow(registration)
    assert next(read).request.method == "GET"
    with pytest.raises(StopIteration) as done:
        read.send(answer(registered(registration_access_token=RAT2), 200))
    assert done.value.value.registration_access_token == RAT2

    delete = manager.delete_client_flow(registration)
    assert next(delete).request.method == "DELETE"
    with pytest.raises(StopIteration) as done:
        delete.send(HttpResponse(204, {}, b""))
    assert done.value.value is None


def test_the_503_of_a_registration_is_a_refusal_not_a_retry() -> None:
    manager = TokenManager("registrar", clock=lambda: 1_700_000_000.0)
    flow = manager.register_client_flow(ENDPOINT, {"client_name": "rp"})
    next(flow)
    with pytest.raises(TokenEndpointError) as info:
        flow.send(HttpResponse(503, {"Retry-After": "1", **JSON}, b"{}"))
    assert info.value.status_code == 503


# ---------------------------------------------------------------------- properties


def _parse(response: HttpResponse) -> ClientRegistration | None:
    try:
        return parse_registration_response(response, endpoint=ENDPOINT)
    except ServerResponseError as exc:
        server_fault(exc)
        return None


@settings(max_examples=300, deadline=None)
@given(responses | ok_responses)
def test_any_response_gives_a_registration_or_a_server_error(response: HttpResponse) -> None:
    result = _parse(response)
    if result is not None:
        assert result.client_id
        assert ClientRegistration.from_dict(result.to_dict()) == result


@settings(max_examples=300, deadline=None)
@given(json_objects, st.sampled_from([200, 201]))
def test_any_json_object_gives_a_registration_or_a_server_error(body: str, status: int) -> None:
    previous = ClientRegistration.from_dict(registered())
    response = HttpResponse(status, JSON, body.encode("utf-8", "surrogatepass"))
    try:
        result = parse_registration_response(response, previous=previous)
    except ServerResponseError as exc:
        server_fault(exc)
        assert_hidden(str(exc), repr(exc))
        return
    assert result.client_id == "c-1"
    assert result.registration_client_uri is not None
    assert_hidden(repr(result))


def test_a_time_too_large_for_a_float_is_malformed_not_an_overflow() -> None:
    # fuzz/campaign.py, target registration: a 400-digit client_id_issued_at (valid JSON)
    # made math.isfinite() raise OverflowError.
    body = b'{"client_id": "c-1", "client_id_issued_at": 1' + b"0" * 400 + b"}"
    with pytest.raises(MalformedResponseError, match="client_id_issued_at"):
        parse_registration_response(HttpResponse(201, JSON, body))
    with pytest.raises(UsageError):
        ClientRegistration.from_dict({"client_id": "a", "client_secret_expires_at": 10**400})
