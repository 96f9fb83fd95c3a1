"""Text fields refuse what cannot be shown as typed: names on one line, any text without
control characters or direction overrides."""

from app.formfields import Fields
from app.i18n import set_locale

UNSHOWABLE = "Remove the invisible control characters (line breaks or direction marks)."


def test_a_name_is_one_line_without_controls() -> None:
    set_locale("en")
    fields = Fields()
    for index, bad in enumerate(["共享\n音乐室", "音乐\u2028室", "\u202e室乐音", "音乐\x00室"]):
        fields.text(bad, f"name{index}", max_length=100, single_line=True)
    assert [(e.field, e.message) for e in fields.errors] == [
        ("name0", UNSHOWABLE),
        ("name1", UNSHOWABLE),
        ("name2", UNSHOWABLE),
        ("name3", UNSHOWABLE),
    ]


def test_a_description_keeps_its_lines_but_no_controls() -> None:
    set_locale("en")
    fields = Fields()
    kept = fields.text("第一行\r\n第二行\t备注", "description", max_length=200)
    assert kept == "第一行\r\n第二行\t备注"
    fields.text("说明\u2067隐藏", "note", max_length=200)
    fields.text("说明\x1b[31m", "other", max_length=200)
    assert [e.field for e in fields.errors] == ["note", "other"]
