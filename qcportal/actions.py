"""A base for POST-only HTML actions on one object (revoke, withdraw, release …)."""

from abc import ABCMeta, abstractmethod

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.views import View

from .conflicts import AlreadyDone, Conflict
from .permissions import MembershipRequiredMixin


def apply_errors(form, exc: ValidationError) -> None:
    """Attach a service's ValidationError to a form, field by field where the form has the
    field, otherwise as a form-wide error (shown inline above the form). A
    :class:`~qcportal.conflicts.Conflict` also marks the form (``form.conflict``), so that
    :class:`~qcportal.conflicts.ConflictFormMixin` answers 409."""
    if isinstance(exc, Conflict):
        form.conflict = True
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def error_text(exc: ValidationError) -> str:
    """A service's ValidationError as one line of Chinese text for a flash message."""
    return "；".join(exc.messages)


class ObjectActionView(MembershipRequiredMixin, View, metaclass=ABCMeta):
    """POST only: find the object in the tenant scope (404 otherwise), run :meth:`perform`
    (a service call returning the success message), flash the success or the service's
    Chinese error, and redirect to :meth:`redirect_to`. A repeat of what was just done
    (:class:`~qcportal.conflicts.AlreadyDone`, e.g. a double click) is flashed as a notice."""

    http_method_names = ["post"]
    model = None
    select_related: tuple[str, ...] = ()

    def get_object(self):
        obj = self.model.objects.select_related(*self.select_related).filter(pk=self.kwargs["pk"]).first()
        if obj is None:
            raise Http404
        return obj

    @abstractmethod
    def perform(self, obj) -> str:
        """Do the action (raising ``ValidationError`` to refuse it); return the success message."""

    @abstractmethod
    def redirect_to(self, obj):
        """Where to go afterwards."""

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        try:
            message = self.perform(obj)
        except AlreadyDone as exc:
            messages.info(request, error_text(exc))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, message)
        return self.redirect_to(obj)
