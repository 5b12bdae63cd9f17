import re
import subprocess
import sys
from pathlib import Path

import pytest

from lessons_src.versions import PINNED, installed_version, print_versions

REQUIREMENTS = Path(__file__).resolve().parents[1] / "requirements.txt"


def test_pinned_versions_are_those_of_requirements_txt():
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", REQUIREMENTS.read_text(), flags=re.MULTILINE))
    assert {package: pins.get(package) for package in PINNED} == PINNED


def test_the_pinned_versions_print_one_line(capsys):
    print_versions(installed=PINNED.get)
    assert capsys.readouterr().out == "Outputs produced with NumPy 2.4.6 and PyTorch 2.13.0.\n"


def test_a_chapter_names_only_the_packages_it_uses(capsys):
    print_versions("numpy", installed=lambda package: None if package == "torch" else PINNED[package])
    assert capsys.readouterr().out == "Outputs produced with NumPy 2.4.6.\n"


def test_a_differing_version_prints_a_warning_naming_it(capsys):
    installed = {"numpy": "2.3.1", "torch": PINNED["torch"]}
    print_versions(installed=installed.get)
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["Outputs produced with NumPy 2.4.6 and PyTorch 2.13.0.",
                     "Warning: you have NumPy 2.3.1, so your outputs may differ from the ones shown."]


def test_every_differing_or_missing_package_is_named_in_one_line(capsys):
    print_versions(installed={"numpy": "2.5.0"}.get)
    warning = capsys.readouterr().out.splitlines()[1:]
    assert warning == ["Warning: you have NumPy 2.5.0 and PyTorch (not installed), "
                       "so your outputs may differ from the ones shown."]


def test_an_unknown_package_is_a_value_error():
    with pytest.raises(ValueError, match="packages: expected names from"):
        print_versions("scipy")


def test_installed_version_drops_the_local_label_and_knows_missing_packages():
    assert installed_version("numpy") == PINNED["numpy"]
    assert "+" not in (installed_version("torch") or "")
    assert installed_version("no-such-package-of-the-book") is None


def test_it_reads_versions_without_importing_torch():
    code = ("import sys, lessons_src.versions as v; v.print_versions('numpy'); v.installed_version('torch'); "
            "assert 'torch' not in sys.modules")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Outputs produced with NumPy 2.4.6.\n"
