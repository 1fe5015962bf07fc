"""HTML pages of the API tokens (issue 9, item 2): the user's own tokens under
``/accounts/tokens/`` (list, create with the key shown once, revoke) and the administrator's
list of the tokens of the users of their subtree under ``/users/tokens/`` (with revoke)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, ListView

from .actions import ObjectActionView, apply_errors
from .forms_base import BootstrapFormMixin
from .pagination import PaginatedListMixin
from .permissions import MembershipRequiredMixin
from .text import CleanCharField
from .tokens import (
    DEFAULT_TOKEN_NAME,
    STATUS_LABELS,
    TOKEN_NAME_MAX_LENGTH,
    token_create,
    token_list_managed,
    token_list_own,
    token_revoke,
    token_status,
)


def _with_status(tokens) -> list:
    """``(token, status, label)`` for each token of a page."""
    return [(t, token_status(t), STATUS_LABELS[token_status(t)]) for t in tokens]


class TokenCreateForm(BootstrapFormMixin, forms.Form):
    """A new token: its name (which device or script) and how many days it stays valid."""

    name = CleanCharField(
        label=gettext_lazy("名称"),
        max_length=TOKEN_NAME_MAX_LENGTH,
        required=False,
        help_text=gettext_lazy("用于区分设备或脚本，例如“报表脚本”“办公室电脑”。留空则为“API”。"),
    )
    # The range is checked by the service (qcportal.tokens.token_input_clean), as for the API.
    expires_in_days = forms.IntegerField(label=gettext_lazy("有效期（天）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        maximum = settings.API_TOKEN_MAX_TTL_DAYS
        field = self.fields["expires_in_days"]
        field.widget.attrs.update(min=1, max=maximum)
        field.help_text = _("1到%(max)s天，到期后令牌自动失效。") % {"max": maximum}


class TokenListView(LoginRequiredMixin, PaginatedListMixin, ListView):
    """The user's own API tokens (name, prefix, created, last used, expires, status), with
    revoke; never the key."""

    template_name = "qcportal/token_list.html"
    context_object_name = "tokens"
    paginate_by = 50

    def get_queryset(self):
        return token_list_own(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = _with_status(context["tokens"])
        return context


class TokenCreateView(LoginRequiredMixin, FormView):
    """Create a token; the answer shows its key this once (with a copy button and the hint
    to copy it now), never stored and never shown again."""

    template_name = "qcportal/token_form.html"
    form_class = TokenCreateForm

    def get_initial(self):
        return {"name": DEFAULT_TOKEN_NAME, "expires_in_days": settings.API_TOKEN_TTL_DAYS}

    def form_valid(self, form):
        try:
            token, key = token_create(
                user=self.request.user,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        response = self.render_to_response(
            self.get_context_data(form=self.form_class(initial=self.get_initial()), created=token, key=key)
        )
        response["Cache-Control"] = "no-store"
        return response


class TokenRevokeView(LoginRequiredMixin, View):
    """POST: revoke one of the user's own tokens (another user's answers 404)."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        token = token_list_own(user=request.user).filter(pk=pk).first()
        if token is None:
            raise Http404
        token_revoke(user=request.user, token=token)
        messages.success(request, _("已撤销API令牌：%(name)s") % {"name": token.name})
        return redirect("token-list")


class ManagedTokenListView(MembershipRequiredMixin, PaginatedListMixin, ListView):
    """The API tokens of the users of the administrator's subtree (who, name, prefix,
    created, last used, expires, status), searchable by user, with revoke."""

    permission_required = "users:manage"
    template_name = "qcportal/token_managed_list.html"
    context_object_name = "tokens"
    paginate_by = 50

    def get_queryset(self):
        return token_list_managed(
            membership=self.request.membership, search=self.request.GET.get("q", "").strip()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = _with_status(context["tokens"])
        return context


class ManagedTokenRevokeView(ObjectActionView):
    """POST: an administrator revokes the token of a user of their subtree (404 for any
    other token)."""

    permission_required = "users:manage"

    def get_object(self):
        token = token_list_managed(membership=self.request.membership).filter(pk=self.kwargs["pk"]).first()
        if token is None:
            raise Http404
        return token

    def perform(self, token):
        token_revoke(user=self.request.user, token=token, membership=self.request.membership)
        return _("已撤销%(user)s的API令牌：%(name)s") % {"user": token.user, "name": token.name}

    def redirect_to(self, token):
        return redirect("managed-token-list")
