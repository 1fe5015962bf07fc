"""Pages over the workflow mechanism: an object's page offers exactly the transitions the
acting membership may take now (each with its comment box and input form), explains which
ones wait for a guard, shows the history, and takes a transition by a POST to itself."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .conflicts import AlreadyDone
from .forms_base import CleanInputMixin
from .models import WorkflowLog
from .reauth import reauth_response
from .workflow import Workflow


class TransitionForm(CleanInputMixin, forms.Form):
    """The comment box of a transition, prefixed with the transition's name."""

    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=1000)


class WorkflowPageMixin:
    """Mixin for a detail view of a workflow object.

    Subclasses set ``workflow`` and implement ``get_workflow_object()`` (found in the tenant
    scope; 404 otherwise). Context: ``actions`` — ``[{"t", "comment_form", "form",
    "errors"}]`` for :meth:`Workflow.available`; ``blocked`` — ``[(t, [reasons])]``;
    ``history`` — the :class:`WorkflowLog` rows. A POST with ``transition=NAME`` takes it:
    success redirects to the page with a message; a refusal re-renders the page with the
    Chinese reasons next to that transition's form (status 400); a repeat of the transition
    just taken (a double click: :class:`~qcportal.conflicts.AlreadyDone`) redirects to the
    page, as the first request did, with a notice that nothing more was done (R-SC-31). A
    transition declared with ``reauth=True`` first sends the user to the re-authentication
    page unless they confirmed their identity recently (issue 9 item 1).
    """

    workflow: Workflow

    def get_workflow_object(self):
        """The object of the page, found in the tenant scope (404 otherwise); views define it."""
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{type(self).__name__} must define get_workflow_object()")

    def workflow_context(self, obj, *, failed: str | None = None, data=None, errors=None) -> dict:
        """Context entries describing the object's workflow for the acting membership."""
        membership = self.request.membership
        actions = []
        for t in self.workflow.available(obj, membership):
            bound = data if failed == t.name else None
            actions.append(
                {
                    "t": t,
                    "comment_form": TransitionForm(bound, prefix=t.name)
                    if bound is not None
                    else TransitionForm(prefix=t.name),
                    "form": t.form(bound, prefix=t.name, initial=self.transition_initial(obj, t.name))
                    if t.form
                    else None,
                    "errors": errors if failed == t.name else None,
                    "open": failed == t.name,
                }
            )
        history = (
            WorkflowLog._base_manager.filter(entity=self.workflow.entity, object_id=obj.pk)
            .select_related("actor")
            .order_by("created_at", "id")
        )
        return {
            "workflow": self.workflow,
            "actions": actions,
            "blocked": self.workflow.blocked(obj, membership),
            "history": history,
            "state_label": self.workflow.state_label(obj),
        }

    def transition_initial(self, obj, name: str) -> dict:
        """Initial values of a transition's input form (override to prefill)."""
        return {}

    def post(self, request, *args, **kwargs):
        """Take the posted transition (see the class docstring)."""
        obj = self.get_workflow_object()
        name = request.POST.get("transition", "")
        t = self.workflow.get(name) if name in self.workflow.transitions else None
        prefix = f"{name}-" if t else ""
        data = {k[len(prefix) :]: v for k, v in request.POST.items() if prefix and k.startswith(prefix)}
        if t is not None and t.reauth:
            # A sensitive transition: confirm the identity first, then back to this page.
            response = reauth_response(request, next_url=request.path)
            if response is not None:
                return response
        try:
            if t is None:
                raise ValidationError(_("未知的操作。"))
            self.workflow.perform(
                obj, name, membership=request.membership, comment=data.pop("comment", ""), data=data
            )
        except AlreadyDone as exc:
            messages.info(request, "；".join(exc.messages))
            return redirect(request.path)
        except ValidationError as exc:
            errors = [
                m
                for msgs in (exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages])
                for m in msgs
            ]
            messages.error(request, _("操作未完成：%(reason)s") % {"reason": "；".join(errors)})
            self.object = obj
            context = self.get_context_data(
                workflow_failed=name, workflow_data=request.POST, workflow_errors=errors
            )
            return self.render_to_response(context, status=400)
        messages.success(request, _("已完成：%(action)s") % {"action": t.label})
        return redirect(request.path)
