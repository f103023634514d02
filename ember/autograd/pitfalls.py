"""Re-exports ``ember._pitfalls``, which patches nn and optim and so lives above autograd."""

from .._pitfalls import PitfallWarning, is_pitfall_detection_enabled, set_detect_pitfalls

__all__ = ["PitfallWarning", "set_detect_pitfalls", "is_pitfall_detection_enabled"]
