"""HTML views of the tenancy core: switching the acting membership."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from .tenancy import SESSION_KEY


class SwitchMembershipView(LoginRequiredMixin, View):
    """POST: act for another of the user's own memberships (404 for anyone else's)."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        membership = next((m for m in request.memberships if m.pk == pk), None)
        if membership is None:
            raise Http404
        request.session[SESSION_KEY] = membership.pk
        messages.success(
            request,
            _("已切换为：%(org)s · %(role)s")
            % {"org": membership.organisation.name, "role": membership.get_role_display()},
        )
        target = request.POST.get("next") or reverse("home")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("home")
        return HttpResponseRedirect(target)
