"""respond's DICOM fuzz harness (``make fuzz``): damaged copies of real files.

Not part of ``make test``: each case copies a group of real files from the
shared data, damages one, and runs what a user runs (scan, load, one frame, the
``series`` document) in a forked child with time and memory limits. See
``fuzz/README.md``.
"""
