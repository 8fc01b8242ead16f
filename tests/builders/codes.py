"""Phone codes in tests: the code sent is derived (domain.phone_check.code_for) from the
nonce the `CodeSent` event recorded and the service secret; no SMS is needed."""

from __future__ import annotations

from domain.application import Sishuang
from domain.phone_check import PhoneCheck, code_for, phone_check_id

DOMAIN_SECRET = b"test-secret-for-the-domain-tests"
API_SECRET = b"test-secret-for-the-api-tests"


def current_code(app: Sishuang, phone: str, secret: bytes) -> str:
    """The code of the phone's current (last sent) nonce, as the SMS would carry it."""
    check = app.find(PhoneCheck, phone_check_id(phone))
    assert check is not None and check.nonce is not None, f"no code was sent to {phone}"
    return code_for(secret, check.nonce)
