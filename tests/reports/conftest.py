from tests.cases.conftest import procedures, receive  # noqa: F401 - shared fixtures
