"""The dependency contract: exactly one distribution provides `whoosh`."""

from importlib import metadata


def test_exactly_one_distribution_provides_whoosh():
    providers = metadata.packages_distributions().get("whoosh", [])
    assert len(providers) == 1, providers
    assert providers[0].lower() == "whoosh-reloaded"


def test_falcon_is_version_4():
    assert metadata.version("falcon").split(".")[0] == "4"


def test_bibtexparser_is_version_2():
    assert metadata.version("bibtexparser").split(".")[0] == "2"
