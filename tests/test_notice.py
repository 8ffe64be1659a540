"""Decision notices: `wuxin eval --format html|md` (issue 14 item 5)."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest

import wuxin_rules
from conftest import Golden
from wuxin_rules import cli, notice

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "policies" / "drug_free" / "unit.policy"
FAIL = ROOT / "examples" / "village-fail.json"
PASS = ROOT / "examples" / "village-pass.json"
BATCH = ROOT / "examples" / "units.jsonl"
GOLDEN = Path(__file__).parent / "golden" / "notice"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# The policy's version is the hash of its text: any edit of the flagship changes it (a test
# of its own checks the hash), so the golden notices hold a placeholder.
_VERSION = re.compile(r"(版本|version) `[0-9a-f]{12}`")


def _eval(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["eval", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _stable(text: str) -> str:
    """The output without today's date or the policy's version, and with the repository's
    paths relative."""
    text = _DATE.sub("YYYY-MM-DD", text.replace(str(ROOT) + "/", ""))
    return _VERSION.sub(lambda m: f"{m.group(1)} `VERSION`", text)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_notice_of_a_failing_unit(
    capsys: pytest.CaptureFixture[str], golden: Golden, lang: str
) -> None:
    code, out, _ = _eval(capsys, str(UNIT), str(FAIL), "--format", "md", "--lang", lang)
    assert code == 0
    out = _stable(out)
    golden.check(GOLDEN / f"village-fail.{lang}.md", out)


def test_the_notice_holds_what_the_issue_asks(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _eval(capsys, str(UNIT), str(FAIL), "--format", "md", "--lang", "zh")
    version = notice.policy_version(wuxin_rules.load(UNIT).checked)
    assert f"版本 `{version}`" in out
    assert re.search(r"日期：\d{4}-\d{2}-\d{2}", out)
    decision = out.split("## 评定结论")[1].split("##")[0]
    assert "| 无毒单位 | **✗ 未达到** | S2 |" in decision
    standards = out.split("## 各项标准")[1].split("##")[0]
    assert "| S2.1 | 辖区内无制毒窝点  差距：*u.drug\\_labs == 0（现为 1）* | **✗ 未达到** |" in (
        standards
    )
    assert "超出 0.0295" in standards  # the margin of S2.3, in Chinese
    assert "若 制毒窝点数 为 0（现为 1），且 辖区吸毒人员增幅 不高于 0.0155（现为 0.045）" in out
    assert "## 签发" in out and "审批人（盖章）" in out


def test_a_passing_unit_has_nothing_to_change(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _eval(capsys, str(UNIT), str(PASS), "--format", "md")
    assert "| 无毒单位 | **✓ met** | S2 |" in out
    assert "What must change" not in out and "✗" not in out


def test_the_version_is_the_policy_text_not_its_place(tmp_path: Path) -> None:
    here = notice.policy_version(wuxin_rules.load(UNIT).checked)
    copy = tmp_path / "drug_free"
    shutil.copytree(UNIT.parent, copy)
    assert notice.policy_version(wuxin_rules.load(copy / "unit.policy").checked) == here
    text = (copy / "units.policy").read_text(encoding="utf-8")
    (copy / "units.policy").write_text(text + "\n# a comment\n", encoding="utf-8")
    assert notice.policy_version(wuxin_rules.load(copy / "unit.policy").checked) != here


def test_a_batch_is_a_report_with_the_counts_first(capsys: pytest.CaptureFixture[str]) -> None:
    code, page, _ = _eval(capsys, str(UNIT), str(BATCH), "--format", "html", "--lang", "zh")
    assert code == 0
    policy = wuxin_rules.load(UNIT)
    lines = BATCH.read_text(encoding="utf-8").splitlines()
    values = [r["drug_free"] for r in policy.evaluate_many(_documents(lines))]
    articles = page.split("<article>")[1:]
    assert len(articles) == len(lines) + 1
    summary = articles[0]
    assert "评定汇总" in summary and f"共 {len(lines)} 份" in summary
    row = summary.split("无毒单位</td>")[1]
    met, not_met = re.findall(r"<td class=\"num\">(\d+)</td>", row)[:2]
    assert (int(met), int(not_met)) == (values.count(True), values.count(False))
    assert all("评定决定书" in article for article in articles[1:])


def _documents(lines: list[str]) -> list[object]:
    from wuxin_rules import jsonio

    return [jsonio.parse_line(line) for line in lines]


def test_rejected_facts_are_counted_and_reported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    facts = tmp_path / "some.jsonl"
    lines = BATCH.read_text(encoding="utf-8").splitlines()[:2]
    facts.write_text("\n".join([*lines, '{"unit": {"id": 1}}', "not json"]) + "\n", "utf-8")
    code, out, err = _eval(capsys, str(UNIT), str(facts), "--format", "md", "--lang", "zh")
    assert code == 1
    assert "$.unit.id" in err
    assert "| 事实不合要求，未评定 |  | 2 |" in out
    assert out.count("事实不合要求，未评定") == 3  # the summary row and two notices


class _Balance(HTMLParser):
    VOID: ClassVar[set[str]] = {"meta", "br", "hr", "img", "link", "input", "col", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"unexpected </{tag}>")
        else:
            self.stack.pop()


def test_the_html_prints_on_a4_and_fetches_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    _, page, _ = _eval(capsys, str(UNIT), str(BATCH), "--format", "html")
    assert "@page { size: A4;" in page
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//|<script|@import", page)
    balance = _Balance()
    balance.feed(page)
    assert balance.problems == [] and balance.stack == []


def test_policy_text_is_escaped(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    policy = tmp_path / "p.policy"
    policy.write_text(
        'policy p "<script>x</script>"\ninput n: int\ncriterion c "a < b": n > 1\n', "utf-8"
    )
    facts = tmp_path / "n.json"
    facts.write_text('{"n": 0}', "utf-8")
    _, page, _ = _eval(capsys, str(policy), str(facts), "--format", "html")
    assert "<script>" not in page and "&lt;script&gt;" in page and "a &lt; b" in page


_CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)


@pytest.mark.skipif(_CHROMIUM is None, reason="needs a headless Chromium")
def test_chromium_prints_the_report(tmp_path: Path) -> None:
    """The report prints: a PDF with at least one page per notice, in headless Chromium."""
    page = tmp_path / "report.html"
    out = subprocess.run(
        [cli.sys.executable, "-m", "wuxin_rules", "eval", str(UNIT), str(BATCH), "--format",
         "html", "--lang", "zh"],
        capture_output=True, text=True, encoding="utf-8", check=True, cwd=ROOT,
    ).stdout  # fmt: skip
    page.write_text(out, encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    assert _CHROMIUM is not None
    subprocess.run(
        [_CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", page.as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = max(int(n) for n in re.findall(rb"/Count (\d+)", data))
    assert pages >= len(BATCH.read_text(encoding="utf-8").splitlines()) + 1


def test_a_notice_shows_labels_in_its_language(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A label that carries a translation is shown in the notice's language."""
    policy = tmp_path / "bilingual.policy"
    policy.write_text(
        'policy bilingual "双语示例" en "bilingual example"\n'
        'input n: int "数量" en "count"\n'
        'criterion small "数量不超过三" en "at most three": n <= 3\n',
        encoding="utf-8",
    )
    facts = tmp_path / "facts.json"
    facts.write_text('{"n": 5}', encoding="utf-8")
    _, english, _ = _eval(capsys, str(policy), str(facts), "--format", "md", "--lang", "en")
    _, chinese, _ = _eval(capsys, str(policy), str(facts), "--format", "md", "--lang", "zh")
    assert "at most three" in english and "数量不超过三" not in english
    assert "bilingual example" in english
    assert "数量不超过三" in chinese and "at most three" not in chinese
