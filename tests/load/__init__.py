"""Loader unit tests; a package so their module names (test_json) do not clash with the reporters' tests in tests/report/."""
