"""Hypothesis budgets: the ``ci`` profile (the default) and ``long`` (``./dev.sh fuzz``).

``HYPOTHESIS_PROFILE`` selects the profile. Each property test keeps its own
CI budget, written as ``@settings(max_examples=examples(N))``: :func:`examples`
scales it by the profile's factor (an explicit ``max_examples`` overrides the
profile's own).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

#: Budget factor per profile (``max_examples`` = CI budget x factor).
SCALES = {"ci": 1, "long": 20}
PROFILE_VARIABLE = "HYPOTHESIS_PROFILE"


def profile_name() -> str:
    """The selected profile: ``ci`` unless ``HYPOTHESIS_PROFILE`` names another."""
    name = os.environ.get(PROFILE_VARIABLE) or "ci"
    if name not in SCALES:
        choices = ", ".join(sorted(SCALES))
        raise ValueError(f"{PROFILE_VARIABLE} must be one of {choices}, got {name!r}")
    return name


def load_profile() -> None:
    """Register both profiles, load the selected one; call before tests import.

    ``ci`` keeps what Hypothesis itself would use (its ``default`` profile, or
    its derandomized ``ci`` profile when a CI environment variable is set).
    ``long`` is random, without deadline, and prints a blob to replay a failure.
    """
    settings.register_profile("ci", settings.default)
    settings.register_profile(
        "long",
        settings.get_profile("default"),
        max_examples=100 * SCALES["long"],
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        print_blob=True,
    )
    settings.load_profile(profile_name())


def examples(ci_budget: int) -> int:
    """*ci_budget* scaled by the selected profile's factor."""
    return ci_budget * SCALES[profile_name()]
