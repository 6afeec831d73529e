"""Every ```python block of docs/*.md runs, in order, in one namespace per
page, in a scratch folder."""

import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = sorted(f for f in os.listdir(os.path.join(ROOT, "docs")) if f.endswith(".md"))


def python_blocks(name):
    with open(os.path.join(ROOT, "docs", name)) as f:
        return re.findall(r"```python\n(.*?)```", f.read(), flags=re.S)


@pytest.mark.parametrize("name", [d for d in DOCS if python_blocks(d)])
def test_doc_examples_run(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = {}
    for number, block in enumerate(python_blocks(name), 1):
        try:
            exec(compile(block, f"{name} block {number}", "exec"), namespace)
        except Exception as e:
            raise AssertionError(f"{name}, python block {number} failed: {e!r}") from e


def test_guide_has_runnable_examples():
    assert len(python_blocks("guide.md")) >= 8
