import pytest
from django.core.exceptions import ValidationError

from cases.validators import (
    mask_id,
    mask_phone,
    tax_check_digit,
    validate_applicant_id,
    validate_citizen_id,
    validate_phone,
    validate_tax_code,
)


@pytest.mark.parametrize("value", ["001085012345", "079199001234", "096203000001", "123456789"])
def test_valid_citizen_ids(value):
    assert validate_citizen_id(value) == value


@pytest.mark.parametrize("value,reason", [
    ("000085012345", "province 000"), ("097085012345", "province 097"), ("00108501234", "11 digits"),
    ("0010850123456", "13 digits"), ("00108501234a", "letter"), ("001299012345", "born in 2099"),
])
def test_invalid_citizen_ids(value, reason):
    with pytest.raises(ValidationError):
        validate_citizen_id(value)


def test_tax_code_check_digit():
    # 0100109106: 31·0+29·1+23·0+19·0+17·1+13·0+7·9+5·1+3·0 = 114; 114 mod 11 = 4; 10 − 4 = 6.
    assert tax_check_digit("010010910") == 6
    assert validate_tax_code("0100109106") == "0100109106"
    assert validate_tax_code("0100109106-001") == "0100109106-001"
    for bad in ["0100109107", "010010910", "0100109106-01", "01001091060"]:
        with pytest.raises(ValidationError):
            validate_tax_code(bad)


@pytest.mark.parametrize("raw,stored", [
    ("0912345678", "+84912345678"), ("+84912345678", "+84912345678"), ("0912 345 678", "+84912345678"),
    ("024 3856 1234", "+842438561234"), ("+842438561234", "+842438561234"), ("0356789012", "+84356789012"),
])
def test_phones_are_stored_in_international_form(raw, stored):
    assert validate_phone(raw) == stored


@pytest.mark.parametrize("raw", ["091234567", "09123456789", "0112345678", "02438561", "abc", "+1 202 555 0100"])
def test_invalid_phones(raw):
    with pytest.raises(ValidationError) as exc:
        validate_phone(raw)
    assert "Số điện thoại không hợp lệ" in exc.value.messages[0]


def test_applicant_id_by_kind():
    assert validate_applicant_id("citizen", "001085012345")
    assert validate_applicant_id("enterprise", "0100109106")
    assert validate_applicant_id("organisation", "1234567")  # budget-unit code
    with pytest.raises(ValidationError):
        validate_applicant_id("enterprise", "001085012345")


def test_masks_keep_only_the_ends():
    assert mask_id("001085012345") == "001******345"
    assert mask_phone("+84912345678") == "+849*****678"
