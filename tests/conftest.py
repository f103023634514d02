import os
import sys
import types

sys.path.insert(0, os.path.dirname(__file__))

import pytest
from hypothesis import settings

# The default suite draws the same hypothesis examples on every run, so CI is reproducible;
# HYPOTHESIS_PROFILE=explore draws fresh ones (and slow tests set their own counts).
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="run slow tests")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip_slow = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)


def import_torchvision():
    """Import torchvision as a test oracle: its compiled operators need absent CUDA libraries."""
    sys.modules.setdefault("torchvision._meta_registrations", types.ModuleType("_meta"))
    import torchvision

    return torchvision


# torchvision as the oracle of the dataset tests (test files may define their own ``tv``)
@pytest.fixture(scope="module")
def tv():
    return import_torchvision()


@pytest.fixture
def tv_cifar(tv, monkeypatch):
    """torchvision with its MD5 check reduced to "the file exists" (fixtures are not official)."""
    monkeypatch.setattr(
        tv.datasets.cifar, "check_integrity", lambda fpath, md5=None: os.path.isfile(fpath)
    )
    return tv
