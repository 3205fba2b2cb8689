"""The office's words (../shared/GLOSSARY.md) as a checker: what a person reads on a page, a PDF, a
workbook, a notification or an e-mail, and what in it a person should never read.

``visible_text(html)`` takes the text a person reads from a page (no <script>/<style>, no markup;
the attributes people read too: title, placeholder, aria-label, alt, a button's value).
``problems(text)`` lists what is wrong in it, each as a short line naming the word and why:

* an English word of the code (an untranslated msgid), outside of code-like things (order numbers,
  room numbers, units) and the few names allowed below;
* a raw key (snake_case, or a key with hyphens such as ``CP-5-rectification``);
* a rule ID (FD-1, CP-3, DS-1-take …) without its glossary name beside it;
* a word of the glossary's "not" column.
"""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser
from pathlib import Path

import yaml

# The glossary's second table: what a person sees instead of the ID.
RULE_NAMES = {
    "FD-1": "三声内接听",
    "FD-3": "承诺时间",
    "FD-4": "情绪激动业主",
    "FD-5": "遗留问题每周去电",
    "FD-6": "工作单当日回复",
    "CP-1": "10分钟内安排管理员",
    "CP-2": "办结后3天内跟踪回访",
    "CP-3": "书面投诉当日答复",
    "CP-4": "重要投诉2个工作日内答复",
    "CP-5": "服务态度投诉当日答复",
    "CP-6": "一般投诉当日答复",
    "CP-7": "长期投诉每周沟通",
    "EM-1": "紧急事件立即通知",
    "EM-2": "5分钟内到场",
    "EM-3": "突发事件处理表审批",
    "DS-1": "报修/家政当日完成",
    "RV-1": "每月回访不少于20户",
    "RV-2": "满意率≥96%，满意度≥75%",
    "RV-3": "投诉回访率100%",
    "RV-6": "当日工作单电话回访",
    "RV-7": "共性问题一周内书面公告",
    "RV-8": "突出问题上门回访",
    "CS-1": "便民服务车",
    "CS-2": "礼宾协助",
    "CS-3": "每季度社区活动",
    # Not in the glossary's table and no clock: named in propdesk/core/rule_names.py (its
    # Chinese in the .po).
    "FD-2": "来电来访逐一登记",
    "DS-2": "服务细化方案",
    "RV-4": "意见建议逐条记录",
    "RV-5": "意见建议逐条答复",
}

# The glossary's names, as the table above has them (before the policy's titles join it).
GLOSSARY_NAMES = dict(RULE_NAMES)


def _policy_titles() -> dict[str, str]:
    """Every clock of the shipped policy and its title (policy/default.yaml)."""
    policy = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    return {rule: str(spec["title"]) for rule, spec in policy["clocks"].items()}


DEFAULT_POLICY = Path(__file__).resolve().parent.parent / "propdesk/policy/default.yaml"
POLICY_TITLES = _policy_titles()
# A clock the glossary does not name (WT-*, DS-1-take, FD-1-callback …) is named by its title.
RULE_NAMES.update({rule: t for rule, t in POLICY_TITLES.items() if rule not in GLOSSARY_NAMES})
# A clock the glossary names must not be called by its policy title too: one name per rule
# ("工作单当日回复" beside "工单当日回复" is one rule named twice).
SECOND_NAMES = {
    t: rule
    for rule, t in POLICY_TITLES.items()
    if rule in GLOSSARY_NAMES and t != GLOSSARY_NAMES[rule]
}

# Latin words a person may read, each for a reason:
ALLOWED_WORDS = {
    "English",  # the language switch offers English in English, as every such switch does
    "PDF",  # the file format, as printed on the links (打印 PDF); no Chinese word replaces it
    "Excel",  # the file format of the workbook link
    # The keys of the intake's shortcuts, named as they are printed on the keyboard:
    "Alt",
    "Ctrl",
    "Enter",
    "Tab",
}

RULE_ID = re.compile(r"(?<![A-Za-z0-9])(?:FD|CP|EM|DS|RV|CS|WT)-\d+(?:-[A-Za-z]+)?(?![A-Za-z0-9])")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
# A run of Latin letters; a "word" is one with no digit glued to it (order and room numbers,
# units such as 5m² or 10min, and codes like JX2611-0001 are not words).
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-/:@²³%]*")
WORD = re.compile(r"[A-Za-z]{2,}")
# How far (in characters) a rule's name may stand from its ID and still be "beside" it.
BESIDE = 24

# The glossary's "not" column, with what to say instead. Each pattern is a word that is wrong
# wherever a person reads it (the context-dependent ones are in ``problems``' arguments).
NOT_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"反映人"), "the caller is 来电人/来访人, on an order 报事人"),
    (re.compile(r"报修人"), "the caller on an order is 报事人 (投诉人 on a complaint)"),
    (re.compile(r"派工"), "assigning is 派单"),
    (re.compile(r"指派"), "assigning is 派单"),
    (re.compile(r"投诉\s*[·・:：/]\s*紧急"), "an emergency is never a kind of 投诉"),
    (
        re.compile(r"(?:电话|上门|满意度|投诉|月度|跟踪)来访|来访(?:率|记录表|结果)|再次来访"),
        "a return visit is 回访 (来访 is a walk-in visit)",
    ),
    (re.compile(r"客户"), "the owner is 业主/住户"),
    (
        re.compile(r"进展通报|通报进展"),
        "the weekly call on a long-running matter is 每周跟进 / 跟进电话",
    ),
)
# A state is said in its kind's words (GLOSSARY.md: 完工, 办结, 受理); 处理完成 is neither.
NOT_WORDS += (
    (re.compile(r"处理完成"), "a repair or service is 完工, a complaint 办结"),
    # The kind is 报修; 维修 stays only in 维修班, 维修工 and in a job's own name (门锁维修).
    (
        re.compile(r"(?<![\u4e00-\u9fff])维修(?![\u4e00-\u9fff])|维修工单"),
        "a repair request is 报修 (维修班 and 维修工 are the team and the technician)",
    ),
)
NOT_WORDS += (
    (
        re.compile(r"投诉\s*·\s*\S*投诉工单"),
        "a complaint in a sentence is 投诉（一般投诉）, not a list's cell",
    ),
)
NOT_WORDS += (
    (re.compile(r"(?<!\d)0级升级"), "a breach no escalation went out for yet is no 升级 level"),
)
# On a repair's or a housekeeping job's page, paper or message: no complaint's words.
SERVICE_NOT = (
    (re.compile(r"已办结|已受理"), "a repair or a service is 接单 and 完工, not 受理 and 办结"),
    (re.compile(r"长期投诉"), "a repair is no complaint (CP-7 is a complaint's weekly call)"),
)
COMPLAINT_NOT = (
    (re.compile(r"完工"), "a complaint is 办结, never 完工"),
    (re.compile(r"报修时间|维修人"), "a complaint is not a repair"),
)


class _Text(HTMLParser):
    READ_ATTRS = ("title", "placeholder", "aria-label", "alt")
    SKIP = {"script", "style", "template", "noscript"}
    BLOCK = {"br", "td", "th", "li", "p", "div", "tr", "option", "h1", "h2", "h3", "dt", "dd"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
            return
        a = dict(attrs)
        for name in self.READ_ATTRS:
            if a.get(name):
                self.parts.append(a[name] or "")
        if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
            self.parts.append(a["value"] or "")
        # A line of its own for a block, a space between inline elements (a chip's name and the
        # ID in its <small> are two things, however close they are drawn).
        self.parts.append("\n" if tag in self.BLOCK else " ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.SKIP:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        else:
            self.parts.append("\n" if tag in self.BLOCK else " ")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The text a person reads on the page, block elements on lines of their own."""
    p = _Text()
    p.feed(html)
    p.close()
    text = "".join(p.parts)
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


_NUMBERED = re.compile(r"[A-Z]+-\d+")


# Chinese text takes the full-width colon (服务态度：4 ★); "服务态度: 4" is typed in English.
HALF_COLON = re.compile(r"[\u4e00-\u9fff]: ")


def problems(
    text: str, *, complaint: bool = False, service: bool = False, plain: bool = False
) -> list[str]:
    """What in ``text`` breaks the glossary, one line each (empty: nothing). ``complaint``: the
    text is about a complaint (its page, its printed form), where repair words are wrong;
    ``service``: about a repair or a housekeeping job, where a complaint's words are wrong;
    ``plain``: plain text (a notification, a text message, an e-mail), where a rule is its
    name alone, no ID at all."""
    found: list[str] = []
    ids = list(RULE_ID.finditer(text))
    for m, n in itertools.pairwise(ids):
        if m.group() == n.group() and not text[m.end() : n.start()].strip():
            found.append(f"rule ID twice: {m.group()!r} in {_around(text, m)!r}")
    for title, rule in SECOND_NAMES.items():
        for m in re.finditer(re.escape(title), text):
            found.append(
                f"a second name for {rule} (its name is {GLOSSARY_NAMES[rule]!r}): "
                f"{m.group()!r} in {_around(text, m)!r}"
            )
    for m in ids:
        if plain:
            found.append(f"rule ID in plain text: {m.group()!r} in {_around(text, m)!r}")
            continue
        base = re.match(r"[A-Z]+-\d+", m.group()).group()  # type: ignore[union-attr]
        # The numbered rule's ID (DS-1) stands beside the name of the rule or of any of its
        # clocks (DS-1-take's 工单30分钟内有人接单: core.rule_names.rule_ref).
        names = [RULE_NAMES[m.group()]] if m.group() in RULE_NAMES else []
        if m.group() == base:
            names += [n for k, n in RULE_NAMES.items() if _NUMBERED.match(k).group() == base]  # type: ignore[union-attr]
        reach = 2 * (BESIDE + max((len(n) for n in names), default=0))
        near = "".join(text[max(0, m.start() - reach) : m.end() + reach].split())
        if not any(n in near for n in names):
            found.append(f"rule ID without its name: {m.group()!r} in {_around(text, m)!r}")
    plain = RULE_ID.sub(" ", text)
    for m in TOKEN.finditer(plain):
        token = m.group()
        if any(c.isdigit() for c in token) or "@" in token or ("/" in token and "." in token):
            continue  # a number, a code, an address: not a word
        if SNAKE.search(token):
            found.append(f"raw key: {token!r} in {_around(plain, m)!r}")
            continue
        for w in WORD.findall(token):
            if w not in ALLOWED_WORDS:
                found.append(f"English word: {w!r} in {_around(plain, m)!r}")
    for m in HALF_COLON.finditer(text):
        found.append(f"a Latin colon in Chinese (：): {m.group()!r} in {_around(text, m)!r}")
    kind_not = (COMPLAINT_NOT if complaint else ()) + (SERVICE_NOT if service else ())
    for pattern, why in NOT_WORDS + kind_not:
        for m in pattern.finditer(text):
            found.append(f"not the office's word: {m.group()!r} ({why}) in {_around(text, m)!r}")
    return found


def _around(text: str, m: re.Match[str], width: int = 30) -> str:
    return text[max(0, m.start() - width) : m.end() + width].replace("\n", " | ")
