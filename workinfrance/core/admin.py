from django.contrib import admin

from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "verb", "target_type", "target_id"]
    list_filter = ["verb", "target_type"]
    search_fields = ["target_id", "actor__email"]
    date_hierarchy = "created_at"

    # The audit trail is read-only, even for administrators.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
