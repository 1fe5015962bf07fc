"""Template context of the tenancy core."""

from django.utils.functional import SimpleLazyObject

from .navigation import navigation_for


def tenancy(request) -> dict:
    """Expose the acting membership, the user's memberships, the navigation and the number of
    unread notifications to templates."""
    membership = getattr(request, "membership", None)
    return {
        "membership": membership,
        "memberships": getattr(request, "memberships", []),
        "navigation": navigation_for(membership),
        "unread_notifications": SimpleLazyObject(lambda: unread_notifications(request)),
    }


def account_security(request) -> dict:
    """``otp_pending``: the signed-in user still owes the second factor (setup or verify,
    :func:`qcportal.otp.otp_state`); the layout then hides the navigation, whose pages would
    only send them back (issue 9 item 1)."""
    from .otp import otp_state

    user = getattr(request, "user", None)
    pending = bool(user is not None and user.is_authenticated and otp_state(request))
    return {"otp_pending": pending}


UNREAD_SHOWN_MAX = 99


def unread_notifications(request) -> int:
    """The user's unread notifications, counted once per request and at most 100 rows
    (shown as "99+" beyond :data:`UNREAD_SHOWN_MAX`)."""
    cached = getattr(request, "_unread_notifications", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    count = 0
    if user is not None and user.is_authenticated:
        from .models import Notification

        count = Notification.objects.filter(recipient=user, read_at__isnull=True)[
            : UNREAD_SHOWN_MAX + 1
        ].count()
    request._unread_notifications = count
    return count
