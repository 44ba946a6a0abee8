from django.contrib import admin

from .models import Department, Unit


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_open"]
    list_filter = ["is_open"]
    list_editable = ["is_open"]
    search_fields = ["code", "name"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "contact_email", "signatory_name", "require_proconnect"]
    filter_horizontal = ["departments"]
    search_fields = ["name"]
