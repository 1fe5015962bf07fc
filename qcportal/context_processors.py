"""Template context of the tenancy core."""


def tenancy(request) -> dict:
    """Expose the acting membership and the user's memberships to templates."""
    return {
        "membership": getattr(request, "membership", None),
        "memberships": getattr(request, "memberships", []),
    }
