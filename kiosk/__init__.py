"""Kiosque des savoirs — the kiosk core.

Domain, local store with its journal, services (use cases), config and i18n. Nothing in this package imports
Kivy, the screens or a hardware adapter: `kiosk/app.py` is the only place that wires them together.
"""

__version__ = "0.1.0"
