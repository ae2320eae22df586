"""Engine: publishing one item exactly once, the due-runner, recovery, services and the scheduler (no Qt)."""
