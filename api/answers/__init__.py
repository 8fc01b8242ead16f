"""The answer models: the 2xx bodies of the contract, one module per router (see common)."""
