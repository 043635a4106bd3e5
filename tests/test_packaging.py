"""The dependency contract (exactly one distribution provides `whoosh`) and the install layout:
one `pinpoint` namespace whose packages are the repository's top-level folders."""

import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_exactly_one_distribution_provides_whoosh():
    providers = metadata.packages_distributions().get("whoosh", [])
    assert len(providers) == 1, providers
    assert providers[0].lower() == "whoosh-reloaded"


def test_falcon_is_version_4():
    assert metadata.version("falcon").split(".")[0] == "4"


def test_bibtexparser_is_version_2():
    assert metadata.version("bibtexparser").split(".")[0] == "2"



def test_every_package_folder_is_installed():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        "pinpoint." + ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("index", "service") for init in (ROOT / top).rglob("__init__.py")
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"


def test_the_editable_install_serves_the_namespace_and_nothing_generic(tmp_path):
    probe = ("import importlib.util as u, pinpoint.index.records, pinpoint.service.app;"
             "print(u.find_spec('index'), u.find_spec('service'), pinpoint.service.app.__file__)")
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.split()[:2] == ["None", "None"]
    assert out.stdout.split()[2] == str(ROOT / "service" / "app.py")


@pytest.mark.slow
def test_a_wheel_installs_only_pinpoint_and_runs(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("pinpoint-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"pinpoint", wheel.name.split("-py")[0] + ".dist-info"}
    assert "pinpoint/service/gunicorn_conf.py" in names and "pinpoint/service/templates/search.html" in names
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "pinpoint = pinpoint.service.cli:main" in entry_points
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    # -S: no .pth files, so the editable install of this checkout cannot answer the imports.
    env = {"PYTHONPATH": f"{target}:{sysconfig.get_paths()['purelib']}", "PATH": "/usr/bin:/bin"}
    run = lambda *args: subprocess.run([sys.executable, "-S", "-m", "pinpoint.service.cli", *args], cwd=tmp_path,
                                       env=env, capture_output=True, text=True, timeout=300)
    built = run("index", str(ROOT / "seeds"), "--index", str(tmp_path / "index"), "--quiet")
    assert built.returncode == 0, built.stderr
    found = run("search", "Futenma", "--index", str(tmp_path / "index"), "--json")
    assert found.returncode == 0 and '"total"' in found.stdout, found.stderr
    where = subprocess.run([sys.executable, "-S", "-c", "import pinpoint.service.cli as c, pinpoint.service.gunicorn_conf as g; print(c.__file__, g.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.split() == [str(target / "pinpoint" / "service" / name) for name in ("cli.py", "gunicorn_conf.py")]
