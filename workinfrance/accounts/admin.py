from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from .forms import ThrottledAdminAuthenticationForm
from .models import User

# /admin/login/ checks passwords through the same throttle as the site's login.
admin.site.login_form = ThrottledAdminAuthenticationForm


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
