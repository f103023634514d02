"""``ember.autograd.anomaly_mode``: where torch keeps ``detect_anomaly`` and ``set_detect_anomaly``.

They are defined in the package (``ember/autograd/__init__.py``); this module names them too.
"""

from __future__ import annotations

from . import detect_anomaly, set_detect_anomaly

__all__ = ["detect_anomaly", "set_detect_anomaly"]
