"""Shared infrastructure for SAC services. Infrastructure only: no domain code.

Importing this package sets ``PSYCOPG_IMPL=python`` (psycopg 3's C wait function
blocks eventlet's hub) unless the environment already chose, and silences
eventlet's deprecation warnings.
"""
import os
import warnings

os.environ.setdefault("PSYCOPG_IMPL", "python")

# eventlet warns at import time; the filter must exist before the first import.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
