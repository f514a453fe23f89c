"""Checks of respond against the tools hospitals use: Orthanc, OHIF (make interop)."""
