"""Unit tests of trueup.policy.crossfile, one module per rule module (a package: names such as test_crossfile repeat)."""
