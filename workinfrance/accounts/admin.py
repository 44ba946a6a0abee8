from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import second_factor_services
from .forms import ThrottledAdminAuthenticationForm
from .models import User

# /admin/login/ checks passwords through the same throttle as the site's login.
admin.site.login_form = ThrottledAdminAuthenticationForm

# Factors are never edited one by one (their secrets stay out of the admin): the audited reset below.
admin.site.unregister(TOTPDevice)


class EmailUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "role")


class EmailUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Administrators manage agents, supervisors and their units here."""

    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "email_confirmed", "is_active"]
    list_filter = ["role", "is_active", "email_confirmed", "units"]
    search_fields = ["email", "first_name", "last_name"]
    filter_horizontal = ["units", "groups", "user_permissions"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name", "preferred_language")}),
        (_("Rôle et unités"), {"fields": ("role", "units", "is_active", "email_confirmed")}),
        (_("Administration"), {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "role", "password1", "password2")}),)
    actions = ["reset_second_factor"]

    @admin.action(description=_("Réinitialiser le second facteur (téléphone ou clé perdus)"))
    def reset_second_factor(self, request, queryset):
        """The only way to remove someone's factors: audited, and the next sign-in asks to enrol again."""
        for user in queryset:
            second_factor_services.second_factor_reset(actor=request.user, user=user)
        self.message_user(
            request,
            _("Second facteur réinitialisé pour %(count)d compte(s) : une nouvelle activation sera demandée.")
            % {"count": queryset.count()},
            messages.SUCCESS,
        )
