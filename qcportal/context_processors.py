"""Template context of the tenancy core."""

from .navigation import navigation_for


def tenancy(request) -> dict:
    """Expose the acting membership, the user's memberships and the navigation to templates."""
    membership = getattr(request, "membership", None)
    return {
        "membership": membership,
        "memberships": getattr(request, "memberships", []),
        "navigation": navigation_for(membership),
    }
