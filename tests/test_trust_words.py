"""What the trust table and the words panel tell a reader, on models whose answer is known by construction
(tests/planted_models.py): the table rates the highlighting, not the answer; the words' colours name the class they
are about; a map that starts from a blank the model already reads as the class, or whose scores do not add up, says
so beside the words; a what-if that disagrees with the map's top word says so."""

from __future__ import annotations

import pytest

from msa_demo.inputs import Inputs, TextInput


@pytest.fixture(scope="module")
def planted_exp(planted):
    """The planted text alone ("great" is the only cause), explained toward its verdict, positive."""
    from msa_demo.explain import ExplainOptions, explain

    inputs = Inputs(text=TextInput("the movie was great and the food service today"))
    return explain(planted, inputs, options=ExplainOptions(seed=0, what_if=False)).to_dict()


@pytest.mark.parametrize("lang, title, scope", [
    ("en", "Can you trust the highlighting?", "not the answer: a model can be confidently wrong; sarcasm"),
    ("zh", "这些高亮标注可信吗？", "而不是答案对不对：模型也可能很有把握地答错，比如反讽")])
def test_the_trust_table_rates_the_highlighting_not_the_answer(planted_exp, lang, title, scope):
    """"Can you trust it? ✓ trustworthy" stood beside a sarcastic post read 97 % positive: a student read it as "the
    answer is right". The heading and the verdict words name the highlighting, and one plain line says a model can
    be confidently wrong, on the page, in the report and on the command line."""
    from msa_demo import report, views
    from msa_demo.cli import format_explanation
    from msa_demo.explain.result import Explanation

    exp = planted_exp
    assert exp["prediction"]["label"] == "positive" and views.trust_rows(exp)[0]["mark"] == "✓"
    page = views.trust_markdown(exp, final=True, lang=lang)
    html = report.to_html(exp, lang)
    cli = format_explanation(Explanation.from_dict(exp), lang)
    for said in (page, html, cli):
        assert scope in said and "trustworthy" not in said and "Can you trust it?" not in said
        assert "可信：" not in said and "这个解释可信吗" not in said
    assert page.startswith(f"### {title}") and f"<h2>{title}</h2>" in html
    held = "the highlighting holds up: its top parts matter most" if lang == "en" else "高亮经得起检验"
    assert held in page and held in html and f"verdict: ✓ {held}" in cli if lang == "en" else held in cli
    assert page.count(scope) == html.count(scope) == cli.count(scope) == 1  # once, not beside every map
