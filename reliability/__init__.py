"""respond's reliability harness (``make reliability``): hostile input and faults.

Not part of ``make test``: it runs respond thousands of times as separate
processes and takes minutes. See ``reliability/README.md``.
"""
