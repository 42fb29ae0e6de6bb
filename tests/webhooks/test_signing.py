"""Standard Webhooks signing: the published test vector, round trips and every refusal."""

import base64

import pytest

from momoflow.webhooks.signing import SignatureError, headers, new_secret, sign, verify

# The vector shared by the Standard Webhooks and Svix reference libraries. Matching it,
# not just round-tripping with our own verify, is what proves receivers' libraries accept us.
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

NOW = 1_700_000_000
BODY = b'{"type": "workflow.approved", "data": {"name": "caf\xc3\xa9"}}'


def signed(secret, body=BODY, msg_id="msg_1", timestamp=NOW):
    return headers(secret, msg_id, timestamp, body)


def test_sign_reproduces_the_reference_vector():
    assert sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY) == VECTOR_SIGNATURE


def test_verify_accepts_the_reference_vector():
    vector_headers = {"webhook-id": VECTOR_ID, "webhook-timestamp": str(VECTOR_TIMESTAMP),
                      "webhook-signature": VECTOR_SIGNATURE}
    assert verify(VECTOR_SECRET, vector_headers, VECTOR_BODY, now=VECTOR_TIMESTAMP) == VECTOR_ID


def test_new_secret_is_whsec_and_base64_of_32_random_bytes():
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
    assert new_secret() != secret


def test_headers_carry_id_timestamp_and_signature():
    secret = new_secret()
    assert signed(secret) == {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(NOW),
        "webhook-signature": sign(secret, "msg_1", NOW, BODY),
    }


def test_round_trip_with_header_names_in_any_case():
    secret = new_secret()
    shouted = {name.upper(): value for name, value in signed(secret).items()}
    assert verify(secret, shouted, BODY, now=NOW) == "msg_1"


def test_secret_without_prefix_gives_the_same_signature():
    assert sign(VECTOR_SECRET.removeprefix("whsec_"), VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY) == VECTOR_SIGNATURE


@pytest.mark.parametrize("tamper", [
    lambda h, b: (h, b + b" "),
    lambda h, b: ({**h, "webhook-id": "msg_2"}, b),
    lambda h, b: ({**h, "webhook-timestamp": str(NOW + 1)}, b),
    lambda h, b: ({**h, "webhook-signature": h["webhook-signature"][:-6] + "AAAAA="}, b),
], ids=["body", "id", "timestamp", "signature"])
def test_any_tampering_is_detected(tamper):
    secret = new_secret()
    tampered_headers, tampered_body = tamper(signed(secret), BODY)
    with pytest.raises(SignatureError, match="no matching signature"):
        verify(secret, tampered_headers, tampered_body, now=NOW)


def test_another_secret_does_not_verify():
    with pytest.raises(SignatureError, match="no matching signature"):
        verify(new_secret(), signed(new_secret()), BODY, now=NOW)


def test_one_matching_signature_among_several_is_enough():
    old, new = new_secret(), new_secret()
    both = signed(old)
    noise = "v2,bm9wZQ== v1,not-base64!"
    both["webhook-signature"] = f"{noise} {sign(new, 'msg_1', NOW, BODY)} {both['webhook-signature']}"
    assert verify(old, both, BODY, now=NOW) == "msg_1"
    assert verify(new, both, BODY, now=NOW) == "msg_1"


def test_only_v1_signatures_count():
    secret = new_secret()
    relabelled = signed(secret)
    relabelled["webhook-signature"] = relabelled["webhook-signature"].replace("v1,", "v2,")
    with pytest.raises(SignatureError):
        verify(secret, relabelled, BODY, now=NOW)


@pytest.mark.parametrize("now, message", [
    (NOW + 301, "too old"),
    (NOW - 301, "future"),
])
def test_timestamps_outside_the_tolerance_are_refused(now, message):
    secret = new_secret()
    with pytest.raises(SignatureError, match=message):
        verify(secret, signed(secret), BODY, now=now)


def test_timestamps_inside_the_tolerance_are_accepted():
    secret = new_secret()
    assert verify(secret, signed(secret), BODY, now=NOW + 300)
    assert verify(secret, signed(secret), BODY, now=NOW - 60, tolerance=60)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_headers_are_named(missing):
    secret = new_secret()
    incomplete = {name: value for name, value in signed(secret).items() if name != missing}
    with pytest.raises(SignatureError, match=f"missing header: {missing}"):
        verify(secret, incomplete, BODY, now=NOW)


@pytest.mark.parametrize("timestamp", ["1700000000.5", "-1", "soon", "١٧٠٠٠٠٠٠٠٠"])
def test_timestamps_must_be_whole_ascii_seconds(timestamp):
    secret = new_secret()
    with pytest.raises(SignatureError, match="whole unix seconds"):
        verify(secret, {**signed(secret), "webhook-timestamp": timestamp}, BODY, now=NOW)


def test_a_malformed_secret_is_a_programming_error_not_a_bad_signature():
    with pytest.raises(ValueError, match="whsec_") as raised:
        sign("whsec_not base64!", "msg_1", NOW, BODY)
    assert not isinstance(raised.value, SignatureError)


def test_while_rotating_both_secrets_sign_the_new_one_first():
    new, old = new_secret(), new_secret()
    both = headers(new, "msg_1", NOW, BODY, previous_secret=old)
    assert both["webhook-signature"] == f"{sign(new, 'msg_1', NOW, BODY)} {sign(old, 'msg_1', NOW, BODY)}"
    assert verify(new, both, BODY, now=NOW) == verify(old, both, BODY, now=NOW) == "msg_1"
    with pytest.raises(SignatureError):
        verify(new_secret(), both, BODY, now=NOW)
    assert headers(new, "msg_1", NOW, BODY, previous_secret=None) == signed(new)
