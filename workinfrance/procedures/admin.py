from django.contrib import admin

from .models import Category, DocumentType


class DocumentTypeInline(admin.StackedInline):
    model = DocumentType
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "max_weekly_hours", "max_validity_months", "is_active", "order"]
    list_editable = ["is_active", "order"]
    inlines = [DocumentTypeInline]


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "requirement", "condition", "order"]
    list_filter = ["category", "requirement"]
