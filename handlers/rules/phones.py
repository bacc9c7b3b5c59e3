"""Phone numbers compared the way people write them: one canonical E.164 form per number."""

from __future__ import annotations

import phonenumbers


def normalize_phone(raw: str, region: str = "CN", *, international: bool = False) -> str | None:
    """E.164 form of a phone number, or None if it is not one.

    Telegram shares contacts as digits with the country code but no '+' ("8613800000001"); a
    roster has national forms ("138 0000 0001") or international ones ("+86 138-0000-0001").
    `international` says the digits start with a country code, as Telegram's always do.
    """
    cleaned = raw.strip()
    if not cleaned:
        return None
    candidates = [cleaned]
    digits = "".join(ch for ch in cleaned if ch.isdigit())
    if not cleaned.startswith("+") and digits:
        if international:
            candidates.insert(0, "+" + digits)
        else:
            candidates.append("+" + digits)
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def phone_tail(phone: str) -> str:
    """The last four digits, enough for staff in a group to tell two people apart."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[-4:]
