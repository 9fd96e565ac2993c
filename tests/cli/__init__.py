"""CLI-level tests; a package so their module names (test_config, test_progress) do not clash with the unit tests of the same modules in tests/."""
