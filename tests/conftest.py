"""Shared pytest options: --all-releases for the slow suites, --update-snapshots for goldens."""
from __future__ import annotations

import signal

import pytest

# The result cache binds os.replace, os.fdopen, tempfile.mkstemp and os.unlink when it is first
# imported, which the command does lazily.  Fault-injection tests replace those functions to
# break the writer's steps: imported here, before any test, the cache holds the real ones and
# its writes never count as (or fail as) the writer's.
import codemod.cache  # noqa: F401


def pytest_addoption(parser):
    parser.addoption("--all-releases", action="store_true", default=False,
                     help="run the slow suites against every Go release 1.21-1.27")
    parser.addoption("--update-snapshots", action="store_true", default=False,
                     help="rewrite snapshots/ from the current output (review the git diff!)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--all-releases"):
        return
    skip = pytest.mark.skip(reason="slow: needs every Go release (run with --all-releases)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def update_snapshots(request) -> bool:
    return request.config.getoption("--update-snapshots")


@pytest.fixture(autouse=True)
def _private_result_cache(tmp_path_factory, monkeypatch):
    # The CLI caches results by default; each test gets its own cache, never the user's.
    monkeypatch.setenv("GOFIX_LINKNAME_CACHE_DIR", str(tmp_path_factory.mktemp("result-cache")))


@pytest.fixture
def default_signals():
    """SIGINT, SIGTERM and SIGHUP at their defaults for a test that sends them.  A suite started
    in the background (``cmd &`` ignores SIGINT, ``nohup`` SIGHUP) would otherwise pass the
    ignoring on to the command, which rightly leaves an ignored signal ignored."""
    defaults = {signal.SIGINT: signal.default_int_handler, signal.SIGTERM: signal.SIG_DFL,
                signal.SIGHUP: signal.SIG_DFL}
    previous = {s: signal.signal(s, h) for s, h in defaults.items()}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
