"""AK/SK signing: our signer against the official SDK's, and the fake server's verifier against both."""

from __future__ import annotations

import inspect
import pickle
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, urlencode, urlsplit

import httpx
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tui_app.fake import verifier
from tui_app.fake.verifier import KeyLookup, Verdict, verify_request
from tui_app.vias.signer import AkSkSigner, canonical_query, canonical_uri, canonical_url, sign_headers

sdk_credentials = pytest.importorskip("huaweicloudsdkcore.auth.credentials")
sdk_request = pytest.importorskip("huaweicloudsdkcore.sdk_request")

HOST = "vias.cn-north-4.myhuaweicloud.com"
PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
TASK = "0d47bbf52962414bb7ae27fb6ea24230"
AK = "HPUAEXAMPLEAK0123456"
SK = "SKsecretLEAKCANARY" + "Qx7" * 10 + "ENDSK"
SK_FRAGMENTS = ("secretLEAK", "Qx7Qx7Qx7", "ENDSK")
TOKEN = "gQpjbi1ub3J0aC00" + "T0k" * 30
WHEN = datetime(2025, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
PAGED = [
    ("is_paged", "true"),
    ("page_num", "2"),
    ("page_size", "200"),
    ("name_like", "a b"),
    ("sort_name", "created_at"),
]


def sdk_sign(
    method: str,
    host: str,
    path: str,
    query: list[tuple[str, str]],
    body: bytes = b"",
    token: str | None = None,
    when: datetime = WHEN,
    project: str | None = PROJECT,
) -> tuple[dict[str, str], str]:
    """Sign with the SDK's own credentials path (it adds X-Project-Id and X-Security-Token itself); the headers it
    would send and the URL it would request."""
    credentials = sdk_credentials.BasicCredentials(AK, SK, project)
    if token is not None:
        credentials = credentials.with_security_token(token)
    request = sdk_request.SdkRequest(
        method=method,
        schema="https",
        host=host,
        resource_path=path,
        query_params=list(query),
        header_params={"X-Sdk-Date": when.strftime("%Y%m%dT%H%M%SZ")},
        body=body,
    )
    credentials.sign_request(request)
    return dict(request.header_params), request.url


def ours(
    method: str,
    url: str,
    body: bytes = b"",
    token: str | None = None,
    when: datetime = WHEN,
    project: str | None = PROJECT,
) -> dict[str, str]:
    """Signed as the client signs: X-Project-Id among the signed headers."""
    return AkSkSigner(AK, SK, token).sign(
        method, url, body, when=when, headers={"X-Project-Id": project} if project else None
    )


def keys(ak: str) -> tuple[str, str | None] | None:
    return {AK: (SK, None)}.get(ak)


def temp_keys(ak: str) -> tuple[str, str | None] | None:
    return {AK: (SK, TOKEN)}.get(ak)


def check(
    method: str, url: str, added: dict[str, str], body: bytes = b"", lookup: KeyLookup = keys, now: datetime = WHEN
) -> Verdict:
    """Verify as the fake server would: raw target from what httpx puts on the wire, lower-case headers."""
    target = httpx.URL(url).raw_path.decode("ascii")
    return verify_request(method, target, {k.lower(): v for k, v in added.items()}, body, lookup, now)


# --- byte-identical with huaweicloudsdkcore ---------------------------------------------------------------


def test_delete_matches_sdk() -> None:
    path = f"/v2/{PROJECT}/batch-tasks/{TASK}"
    theirs, _ = sdk_sign("DELETE", HOST, path, [])
    mine = ours("DELETE", f"https://{HOST}{path}")
    assert mine == theirs  # X-Sdk-Date, Host, X-Project-Id and Authorization, byte for byte
    assert mine["X-Project-Id"] == PROJECT
    assert mine["Authorization"].startswith(
        f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=host;x-project-id;x-sdk-date, Signature="
    )


def test_without_a_project_matches_sdk() -> None:
    path = f"/v2/{PROJECT}/batch-tasks/{TASK}"
    theirs, _ = sdk_sign("DELETE", HOST, path, [], project=None)
    mine = ours("DELETE", f"https://{HOST}{path}", project=None)
    assert mine == theirs and "X-Project-Id" not in mine
    assert "SignedHeaders=host;x-sdk-date," in mine["Authorization"]


@pytest.mark.parametrize("space", ["+", "%20"])
def test_paged_list_matches_sdk(space: str) -> None:
    path = f"/v2/{PROJECT}/batch-tasks"
    theirs, sdk_url = sdk_sign("GET", HOST, path, PAGED)
    query = f"is_paged=true&page_num=2&page_size=200&name_like=a{space}b&sort_name=created_at"
    url = f"https://{HOST}{path}?{query}"
    assert ours("GET", url) == theirs
    # The SDK sends the canonical query (sorted, %20): canonical_url gives the same URL.
    assert canonical_url(url) == sdk_url


def test_httpx_built_query_matches_sdk() -> None:
    # What the client does: httpx encodes params (space as "+", in insertion order).
    url = str(httpx.URL(f"https://{HOST}/v2/{PROJECT}/batch-tasks", params=dict(PAGED)))
    theirs, _ = sdk_sign("GET", HOST, f"/v2/{PROJECT}/batch-tasks", PAGED)
    assert ours("GET", url) == theirs


@pytest.mark.parametrize(
    "segment",
    ["a b", "é∂", "x~y", "a+b", "50%", "semi;colon", "q?mark", "slash/inside", "*'()!", "[v6]", "tab\tnl\n"],
)
def test_path_needing_encoding_matches_sdk(segment: str) -> None:
    # The SDK client quotes path parameters with safe="" (client.py _parse_path_params): same wire path here.
    path = f"/v2/{PROJECT}/batch-tasks/{quote(segment, safe='')}"
    theirs, _ = sdk_sign("DELETE", HOST, path, [])
    assert ours("DELETE", f"https://{HOST}{path}") == theirs


def test_dot_segments_signed_literally() -> None:
    # Like the SDK, the signer takes the path as given; httpx then sends "/v2/x" for "/v2/./x", so the
    # client must sign str(request.url) of the request httpx built, not the string it started from.
    theirs, _ = sdk_sign("GET", HOST, "/v2/./y/../x", [])
    assert ours("GET", f"https://{HOST}/v2/./y/../x") == theirs
    assert httpx.URL(f"https://{HOST}/v2/./y/../x").raw_path == b"/v2/x"


def test_sdk_quirks_reproduced() -> None:
    # "%2F" is decoded before splitting, so it signs as a separator; "~" stays; a trailing "/" is added.
    assert canonical_uri("/a%2Fb/~c d") == "/a/b/~c%20d/"
    assert canonical_uri("") == "/"
    assert canonical_uri("/v2/") == "/v2/"
    # Pairs sort by decoded key, then value; blank values stay.
    assert canonical_query("b=2&a=z&a=y&flag&e=%C3%A9") == "a=y&a=z&b=2&e=%C3%A9&flag="


def test_temporary_keys_match_sdk() -> None:
    path = f"/v2/{PROJECT}/batch-tasks/{TASK}"
    theirs, _ = sdk_sign("DELETE", HOST, path, [], token=TOKEN)
    mine = ours("DELETE", f"https://{HOST}{path}", token=TOKEN)
    assert mine == theirs
    assert "SignedHeaders=host;x-project-id;x-sdk-date;x-security-token," in mine["Authorization"]


def test_port_and_body_match_sdk() -> None:
    body = b'{"ids": ["a", "b"]}'
    theirs, _ = sdk_sign("POST", "127.0.0.1:8443", "/v2/p/batch-tasks", [("x", "1")], body=body)
    mine = ours("POST", "https://127.0.0.1:8443/v2/p/batch-tasks?x=1", body)
    assert mine == theirs and mine["Host"] == "127.0.0.1:8443"


def test_host_from_headers_and_functional_form() -> None:
    url = f"https://{HOST}:443/v2/{PROJECT}/batch-tasks/{TASK}"
    signed = sign_headers(
        "DELETE", url, {"host": HOST, "X-Project-Id": PROJECT}, b"", ak=AK, sk=SK, security_token=None, when=WHEN
    )
    theirs, _ = sdk_sign("DELETE", HOST, f"/v2/{PROJECT}/batch-tasks/{TASK}", [])
    assert signed == theirs  # the Host httpx would send (no default port) is what gets signed


def test_date_is_utc() -> None:
    east = WHEN.astimezone(timezone(timedelta(hours=8)))
    assert ours("DELETE", f"https://{HOST}/v2/p/batch-tasks/t", when=east)["X-Sdk-Date"] == "20250304T050607Z"
    with pytest.raises(ValueError, match="timezone"):
        ours("DELETE", f"https://{HOST}/v2/p/batch-tasks/t", when=WHEN.replace(tzinfo=None))


# --- the verifier ------------------------------------------------------------------------------------------


def test_verifier_is_independent_of_the_signer() -> None:
    assert "tui_app" not in inspect.getsource(verifier)


DELETE_URL = f"https://{HOST}/v2/{PROJECT}/batch-tasks/{TASK}"
LIST_URL = f"https://{HOST}/v2/{PROJECT}/batch-tasks?is_paged=true&page_num=2&page_size=200&name_like=a+b"


@pytest.mark.parametrize("url", [DELETE_URL, LIST_URL])
def test_verifier_accepts_signer(url: str) -> None:
    assert check("GET", url, ours("GET", url)) == Verdict(True, "", AK)
    assert check("DELETE", url, ours("DELETE", url, token=TOKEN), lookup=temp_keys).ok


def test_verifier_accepts_canonical_wire_url() -> None:
    assert check("GET", canonical_url(LIST_URL), ours("GET", LIST_URL)).ok


def test_verifier_bounds_are_inclusive() -> None:
    added = ours("DELETE", DELETE_URL)
    assert check("DELETE", DELETE_URL, added, now=WHEN + timedelta(minutes=15)).ok
    assert check("DELETE", DELETE_URL, added, now=WHEN - timedelta(minutes=15)).ok


def reason(verdict: Verdict) -> str:
    assert not verdict.ok
    return verdict.reason


def test_verifier_rejects_wrong_sk() -> None:
    added = AkSkSigner(AK, SK + "x").sign("DELETE", DELETE_URL, when=WHEN, headers={"X-Project-Id": PROJECT})
    assert reason(check("DELETE", DELETE_URL, added)) == "signature mismatch"


def test_verifier_rejects_tampering() -> None:
    added = ours("DELETE", DELETE_URL)
    assert reason(check("DELETE", DELETE_URL.replace(TASK, TASK[::-1]), added)) == "signature mismatch"
    assert reason(check("GET", DELETE_URL, added)) == "signature mismatch"
    assert reason(check("DELETE", DELETE_URL, added, body=b"{}")) == "signature mismatch"
    listed = ours("GET", LIST_URL)
    assert reason(check("GET", LIST_URL.replace("page_num=2", "page_num=3"), listed)) == "signature mismatch"
    assert reason(check("GET", LIST_URL + "&extra=1", listed)) == "signature mismatch"
    assert reason(check("GET", LIST_URL, {**listed, "Host": "evil.example"})) == "signature mismatch"
    assert reason(check("GET", LIST_URL, {**listed, "X-Project-Id": "another"})) == "signature mismatch"


def test_verifier_rejects_dates() -> None:
    added = ours("DELETE", DELETE_URL)
    assert "old" in reason(check("DELETE", DELETE_URL, added, now=WHEN + timedelta(minutes=16)))
    assert "future" in reason(check("DELETE", DELETE_URL, added, now=WHEN - timedelta(minutes=16)))
    assert "missing X-Sdk-Date" in reason(
        check("DELETE", DELETE_URL, {k: v for k, v in added.items() if k != "X-Sdk-Date"})
    )
    for garbled in ("2025-03-04T05:06:07Z", "20250304T050607", "20251304T050607Z", ""):
        assert "garbled X-Sdk-Date" in reason(check("DELETE", DELETE_URL, {**added, "X-Sdk-Date": garbled}))


def test_verifier_rejects_security_token_problems() -> None:
    added = ours("DELETE", DELETE_URL, token=TOKEN)
    # Temporary keys used as if permanent: no token at all.
    forgot = ours("DELETE", DELETE_URL)
    assert "without X-Security-Token" in reason(check("DELETE", DELETE_URL, forgot, lookup=temp_keys))
    # Signed with the token, then the header dropped on the way.
    dropped = {k: v for k, v in added.items() if k != "X-Security-Token"}
    assert "x-security-token is missing" in reason(check("DELETE", DELETE_URL, dropped, lookup=temp_keys))
    other = {**added, "X-Security-Token": "other"}
    assert "wrong X-Security-Token" in reason(check("DELETE", DELETE_URL, other, lookup=temp_keys))
    # Signed without the token, then the token added: the token is not covered by the signature.
    unsigned_token = {**forgot, "X-Security-Token": TOKEN}
    assert "x-security-token is not among" in reason(check("DELETE", DELETE_URL, unsigned_token, lookup=temp_keys))
    assert "permanent key" in reason(check("DELETE", DELETE_URL, added, lookup=keys))


def test_verifier_rejects_authorization_problems() -> None:
    added = ours("DELETE", DELETE_URL)
    assert reason(check("DELETE", DELETE_URL, {"X-Sdk-Date": added["X-Sdk-Date"]})) == "missing Authorization header"
    for garbled in (
        "Bearer abc",
        added["Authorization"].replace("SDK-HMAC-SHA256", "SDK-HMAC-SM3"),
        added["Authorization"][:-1],
        added["Authorization"].replace(", ", ","),
    ):
        assert "garbled Authorization" in reason(check("DELETE", DELETE_URL, {**added, "Authorization": garbled}))
    stranger = AkSkSigner("AKSTRANGER", SK).sign("DELETE", DELETE_URL, when=WHEN)
    verdict = check("DELETE", DELETE_URL, stranger)
    assert (verdict.reason, verdict.ak) == ("unknown access key", "AKSTRANGER")


def test_verifier_rejects_missing_signed_header() -> None:
    added = ours("DELETE", DELETE_URL)
    headers = {k.lower(): v for k, v in added.items() if k != "Host"}
    target = urlsplit(DELETE_URL).path
    verdict = verify_request("DELETE", target, headers, b"", keys, WHEN)
    assert "signed header host is missing" in reason(verdict)
    only_date = added["Authorization"].replace(
        "SignedHeaders=host;x-project-id;x-sdk-date", "SignedHeaders=x-project-id;x-sdk-date"
    )
    assert "host is not among" in reason(check("DELETE", DELETE_URL, {**added, "Authorization": only_date}))


# --- no secret in reprs, messages or reasons ---------------------------------------------------------------


def assert_no_sk(text: str) -> None:
    for fragment in SK_FRAGMENTS:
        assert fragment not in text


def test_secret_never_shown() -> None:
    signer = AkSkSigner(AK, SK, TOKEN)
    for text in (repr(signer), str(signer), f"{signer}", repr(signer.__slots__), str(ours("GET", LIST_URL))):
        assert_no_sk(text)
    assert TOKEN not in repr(signer)
    with pytest.raises(TypeError) as pickled:
        pickle.dumps(signer)
    assert_no_sk(str(pickled.value))
    bad_inputs = [("AK with space", SK, None), ("", SK, None), (AK, "", None), (AK, SK, "tok en"), (AK, SK, "")]
    for ak, sk, token in bad_inputs:
        with pytest.raises(ValueError) as raised:
            AkSkSigner(ak, sk, token)
        assert_no_sk(repr(raised.value))
        assert token is None or not token or token not in str(raised.value)
    with pytest.raises(ValueError) as naive:
        signer.sign("GET", LIST_URL, when=WHEN.replace(tzinfo=None))
    assert_no_sk(repr(naive.value))
    wrong = AkSkSigner(AK, "SKother").sign("GET", LIST_URL, when=WHEN)
    stale = check("GET", LIST_URL, ours("GET", LIST_URL), now=WHEN + timedelta(hours=1))
    for verdict in (check("GET", LIST_URL, wrong), stale):
        assert_no_sk(repr(verdict))
        assert ours("GET", LIST_URL)["Authorization"].rsplit("=", 1)[1] not in verdict.reason


# --- property: random paths and queries --------------------------------------------------------------------

_text = st.text(st.characters(codec="utf-8"), max_size=12)


def _encode_query(style: str, path_url: str, query: list[tuple[str, str]]) -> str:
    if not query:
        return path_url
    if style == "httpx":  # what ViasClient does: params through httpx ("+" for spaces, its own safe set)
        return str(httpx.URL(path_url, params=query))
    return path_url + "?" + (urlencode(query) if style == "plus" else urlencode(query, quote_via=quote))


@settings(max_examples=300, deadline=None)
@given(
    segments=st.lists(_text, min_size=1, max_size=4),
    query=st.lists(st.tuples(_text, _text), max_size=5),
    style=st.sampled_from(["httpx", "plus", "percent"]),
    method=st.sampled_from(["GET", "DELETE", "POST", "put"]),
    body=st.binary(max_size=64),
    temporary=st.booleans(),
)
def test_random_requests(
    segments: list[str], query: list[tuple[str, str]], style: str, method: str, body: bytes, temporary: bool
) -> None:
    path = "/" + "/".join(quote(segment, safe="") for segment in segments)
    # Sign the URL httpx will send (it removes "." and ".." segments), as the client must.
    url = str(httpx.URL(_encode_query(style, f"https://{HOST}{path}", query)))
    # "/." normalises to no path at all, which the SDK's signer cannot sign (IndexError); the client's paths
    # always start with /v2/{project}.
    assume(urlsplit(url).path != "")
    token = TOKEN if temporary else None
    lookup = temp_keys if temporary else keys
    mine = ours(method, url, body, token=token)
    theirs, sdk_url = sdk_sign(method, HOST, urlsplit(url).path, query, body=body, token=token)
    assert mine == theirs
    assert canonical_url(url) == sdk_url
    verdict = check(method, url, mine, body, lookup=lookup)
    assert verdict.ok, verdict.reason
    assert check(method, canonical_url(url), mine, body, lookup=lookup).ok
