"""The benchmarks are not tests: pytest never collects them (run ``python -m tests.benchmarks`` instead)."""

collect_ignore_glob = ["*.py"]
