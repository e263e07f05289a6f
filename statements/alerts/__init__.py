"""E-mail alerts (SPEC §11): saved searches followed by e-mail, double opt-in, digests, one-click unsubscribe."""
