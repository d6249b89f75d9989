"""What public_text masks: every account, ID and phone number, nothing shorter."""

from __future__ import annotations

import pytest

from sandao.reports.privacy import public_text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("电话 021-1234567 联系", "电话 **** 联系"),  # the shortest landline: ten digits
        ("138 0013 8000", "****"),  # a mobile number written in groups
        ("身份证110101199003071234", "身份证****"),
        ("１３８００１３８０００", "****"),  # full-width digits are digits too
        ("账号 6222 0212 3456 7890 123", "账号 ****"),
        ("021-123456", "021-123456"),  # nine digits: nothing to mask
        ("发票号123456789", "发票号123456789"),
        ("2025年第3季度 12,345.67 元", "2025年第3季度 12,345.67 元"),
        ("", ""),
    ],
)
def test_masks_numbers_of_ten_digits_or_more_only(text: str, shown: str) -> None:
    assert public_text(text) == shown
