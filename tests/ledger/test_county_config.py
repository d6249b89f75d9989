"""The county config ``sandao.toml``: found beside the books, checked, defaults when absent."""

from __future__ import annotations

import datetime

import pytest

from sandao.ledger.county_config import (
    CountyConfigError,
    load_county_config,
)


def _books(tmp_path, config_text=None):
    main = tmp_path / "main.beancount"
    main.write_text("", "utf-8")
    if config_text is not None:
        (tmp_path / "sandao.toml").write_text(config_text, "utf-8")
    return main


def test_no_file_gives_defaults(tmp_path):
    config = load_county_config(_books(tmp_path))
    assert config.path is None
    assert config.county.name == ""
    assert config.section("audit") == {}


def test_file_beside_the_books_is_read(tmp_path):
    main = _books(
        tmp_path,
        """
[county]
name = "XX县"
publish_date = 2025-09-30
phone = "0000-1234567"
holidays = [2025-10-01]
workdays = ["2025-09-28"]

[audit]
AU11 = { cap = 8000 }
""",
    )
    config = load_county_config(main)
    assert config.path == tmp_path / "sandao.toml"
    assert config.county.name == "XX县"
    assert config.county.publish_date == datetime.date(2025, 9, 30)
    assert config.section("audit") == {"AU11": {"cap": 8000}}
    assert config.county.is_day_off(datetime.date(2025, 10, 1))  # a Wednesday holiday
    assert config.county.is_day_off(datetime.date(2025, 9, 27))  # a Saturday
    assert not config.county.is_day_off(datetime.date(2025, 9, 28))  # make-up Sunday
    assert not config.county.is_day_off(datetime.date(2025, 9, 29))


def test_explicit_file_wins(tmp_path):
    main = _books(tmp_path, '[county]\nname = "beside"\n')
    other = tmp_path / "other.toml"
    other.write_text('[county]\nname = "given"\n', "utf-8")
    assert load_county_config(main, other).county.name == "given"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[county\n", "不是有效的 TOML"),
        ("[countty]\nname = 'x'\n", "未知的表 [countty]"),
        ("[county]\nnmae = 'x'\n", "未知的键 nmae"),
        ("[county]\npublish_date = '2025-02-30'\n", "publish_date 应为日期"),
        ("[county]\nholidays = 2025-10-01\n", "holidays 应为日期列表"),
        ("[county]\nphone = 12345\n", "phone 应为文字"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path, text, words):
    main = _books(tmp_path, text)
    with pytest.raises(CountyConfigError) as caught:
        load_county_config(main)
    assert words in str(caught.value)
    assert "sandao.toml" in str(caught.value)


def test_missing_explicit_file_is_an_error(tmp_path):
    with pytest.raises(CountyConfigError, match="找不到县配置文件"):
        load_county_config(_books(tmp_path), tmp_path / "nope.toml")


def test_non_utf8_file_is_an_error(tmp_path):
    main = _books(tmp_path)
    (tmp_path / "sandao.toml").write_bytes('[county]\nname = "城东"\n'.encode("gbk"))
    with pytest.raises(CountyConfigError, match="不是 UTF-8"):
        load_county_config(main)
