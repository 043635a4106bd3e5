"""Optional features name the extra that installs them instead of failing with an ImportError."""

from __future__ import annotations

import pytest

from pinpoint.index.extras import MissingExtra, optional_import


def test_a_present_module_is_returned():
    assert optional_import("json", extra="none", feature="JSON").dumps([]) == "[]"


def test_a_missing_module_names_the_extra_and_the_feature():
    with pytest.raises(MissingExtra) as raised:
        optional_import("pinpoint_module_that_does_not_exist", extra="csl", feature="CSL styles")
    assert "pip install 'pinpoint[csl]'" in str(raised.value)
    assert str(raised.value).startswith("CSL styles needs")
    assert isinstance(raised.value, ImportError)


def test_a_broken_import_inside_an_installed_module_is_not_disguised(tmp_path, monkeypatch):
    # Only the module itself being absent means "install the extra"; an error
    # raised while importing an installed module is a bug and must surface.
    (tmp_path / "pinpoint_broken_extra.py").write_text("import pinpoint_missing_dependency_of_it\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError) as raised:
        optional_import("pinpoint_broken_extra", extra="x", feature="y")
    assert not isinstance(raised.value, MissingExtra)
