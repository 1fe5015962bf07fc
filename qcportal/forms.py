"""HTML forms of the tenancy core (administration of organisations and users)."""

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from .choices import NotificationChannel, OrganisationKind
from .forms_base import CleanInputMixin
from .models import Organisation
from .roles import Role
from .selectors import industry_associations
from .services import ORGANISATION_FIELDS


class OrganisationForm(CleanInputMixin, forms.ModelForm):
    """Create or edit an organisation; the parent choices are the actor's subtree."""

    # Declared explicitly: a ModelForm's default choice querysets would be built at import,
    # outside any tenant scope.
    parent = forms.ModelChoiceField(
        label=_("上级组织"), queryset=Organisation._base_manager.none(), to_field_name="code"
    )
    industry_association = forms.ModelChoiceField(
        label=_("行业直属于"),
        queryset=Organisation._base_manager.none(),
        required=False,
        to_field_name="code",
        help_text=_("仅企业：直属某行业质协的企业（行业直属企业）。"),
    )

    class Meta:
        model = Organisation
        fields = ["code", "kind", "parent", *ORGANISATION_FIELDS]

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry_association"].queryset = industry_associations()
        if self.instance.pk:
            for name in ("code", "kind", "parent"):
                self.fields.pop(name)
        else:
            self.fields["parent"].queryset = parents
            self.fields["parent"].required = True
            self.fields["kind"].choices = [
                c for c in OrganisationKind.choices if c[0] != OrganisationKind.NATIONAL_ASSOCIATION
            ]

    def validate_unique(self):
        """Uniqueness is checked by the service across all tenants (the form sees one)."""


class InvitationForm(CleanInputMixin, forms.Form):
    """Invite a person by e-mail to a role at an organisation of the actor's subtree."""

    full_name = forms.CharField(label=_("姓名"), max_length=50)
    email = forms.EmailField(label=_("邮箱"))
    organisation = forms.ModelChoiceField(
        label=_("组织"), queryset=Organisation._base_manager.none(), to_field_name="code"
    )
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class InvitationAcceptForm(CleanInputMixin, forms.Form):
    """Set up the account of an invitation (new users) with Django's password rules."""

    username = forms.CharField(label=_("用户名"), max_length=150)
    password1 = forms.CharField(
        label=_("密码"), widget=forms.PasswordInput, help_text=password_validators_help_text_html()
    )
    password2 = forms.CharField(label=_("再次输入密码"), widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("password1") != data.get("password2"):
            raise forms.ValidationError(_("两次输入的密码不一致。"))
        return data


class NotificationPreferenceForm(CleanInputMixin, forms.Form):
    """The user's choice between 「邮件和站内通知」 and 「仅站内通知」 (``User.notify_by_email``)."""

    channel = forms.ChoiceField(
        label=_("通知方式"),
        choices=NotificationChannel.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择通知方式。"),
            "invalid_choice": _("请选择“邮件和站内通知”或“仅站内通知”。"),
        },
    )
