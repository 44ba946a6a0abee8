from django.contrib import admin

from .models import Department, Unit, UnitDepartment


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_open"]
    list_filter = ["is_open"]
    list_editable = ["is_open"]
    search_fields = ["code", "name"]


class UnitDepartmentInline(admin.TabularInline):
    """One row per department; a department another unit covers is refused (its unique constraint)."""

    model = UnitDepartment
    extra = 1
    autocomplete_fields = ["department"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "contact_email", "signatory_name", "require_proconnect"]
    inlines = [UnitDepartmentInline]
    search_fields = ["name"]
