import pytest

# The builders' assertions report as a test's own do.
pytest.register_assert_rewrite("tests.builders")
