"""The publishing side as one interface: the protocol every network implements, and the registry that finds them."""
