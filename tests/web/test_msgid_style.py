"""One msgid style across the apps (issue 11): msgids are English in the code and the templates,
the Chinese lives in propdesk/locale/zh_Hans/LC_MESSAGES/django.po."""

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "propdesk"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "pgettext",
    "pgettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "npgettext",
    "npgettext_lazy",
    "_lazy",
    "_noop",
}
TEMPLATE_TAG = re.compile(
    r"\{%\s*(?:blocktranslate|blocktrans)\b.*?\{%\s*end(?:blocktranslate|blocktrans)\s*%\}"
    r"|\{%\s*(?:translate|trans)\b(?:[^%]|%(?!\}))*%\}",
    re.S,
)


def _callee(node: ast.Call) -> str:
    f = node.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    return ""


def python_offenders(root: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _callee(node) in GETTEXT:
                for arg in node.args:
                    text = arg.value if isinstance(arg, ast.Constant) else None
                    if isinstance(text, str) and CJK.search(text):
                        rel = path.relative_to(root.parent)
                        found.append(f"{rel}:{node.lineno}: {text!r}")
    return found


def template_offenders(root: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in {".html", ".txt"} or "locale" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for m in TEMPLATE_TAG.finditer(text):
            if CJK.search(m.group(0)):
                line = text.count("\n", 0, m.start()) + 1
                found.append(f"{path.relative_to(root.parent)}:{line}: {m.group(0)!r}")
    return found


def test_scanner_finds_chinese_msgids(tmp_path):
    """The scan can fail: it sees a Chinese msgid in code and in a template."""
    (tmp_path / "a.py").write_text(
        'from django.utils.translation import gettext_lazy\nx = gettext_lazy(\n    "小区"\n)\n'
        'y = _("Room")\n',
        encoding="utf-8",
    )
    (tmp_path / "t.html").write_text(
        '{% translate "导入" %} {% translate "Import" %}\n'
        "{% blocktranslate %}第 {{ n }} 行{% endblocktranslate %}",
        encoding="utf-8",
    )
    assert python_offenders(tmp_path) == [f"{tmp_path.name}/a.py:2: '小区'"]
    assert len(template_offenders(tmp_path)) == 2


def test_msgids_are_english_in_code():
    offenders = python_offenders()
    assert not offenders, "Chinese msgids (make them English, Chinese in django.po):\n" + "\n".join(
        offenders
    )


def test_msgids_are_english_in_templates():
    offenders = template_offenders()
    assert not offenders, "Chinese msgids (make them English, Chinese in django.po):\n" + "\n".join(
        offenders
    )
