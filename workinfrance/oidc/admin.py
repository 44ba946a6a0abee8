from django.contrib import admin

from .models import OidcIdentity


@admin.register(OidcIdentity)
class OidcIdentityAdmin(admin.ModelAdmin):
    """Administrators see who is linked to which provider and can remove a link (the account stays)."""

    list_display = ["user", "provider", "confirmed", "last_login_at", "created_at"]
    list_filter = ["provider", "confirmed"]
    search_fields = ["user__email", "sub"]
    readonly_fields = [
        "user",
        "provider",
        "sub",
        "claims",
        "confirmed",
        "failed_attempts",
        "created_at",
        "last_login_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
