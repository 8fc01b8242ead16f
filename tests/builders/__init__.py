"""What the tests build with: worlds, loops, scenes, stores and HTTP helpers. Test
modules import from here (and from tests.conftest / tests.contract_check), never from
one another; tests/test_layers.py checks that."""
