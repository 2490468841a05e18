"""What a backend developer scripting the command line found (issue fix-cli, round two): --help showed
reStructuredText quotes; a model that could not load exited 2, as a mistake in the command does; refusals came only
after torch and co. had been imported; explain --json's defaults differ from /explain_json's."""

from __future__ import annotations

import argparse

import pytest


def test_help_is_plain_text_without_restructuredtext_quotes(capsys):
    """`python -m msa_demo --help` began "Command line: ``python -m msa_demo predict | explain ...``"."""
    from msa_demo.__main__ import build_parser

    parser = build_parser()
    helps = [parser.format_help()]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps += [sub.format_help() for sub in action.choices.values()]
    assert "Command line: python -m msa_demo predict | explain" in " ".join(helps[0].split())
    assert not [h.splitlines()[0] for h in helps if "``" in h]
    with pytest.raises(SystemExit):
        parser.parse_args(["--help"])
    assert "``" not in capsys.readouterr().out
