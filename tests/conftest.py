"""Suite-wide ordering: library and AppTest tests first, browser tests (slow, one server) last."""

from __future__ import annotations


def pytest_collection_modifyitems(config, items):
    """Run browser tests last: their session-scoped Playwright keeps an asyncio loop running in the
    main thread, which library code that calls asyncio.run (kaleido) must not run under."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
