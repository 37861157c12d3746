from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Office, User


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "agency_code", "valid_from", "valid_to"]
    list_filter = ["level"]
    search_fields = ["code", "name", "agency_code"]
    autocomplete_fields = ["parent"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "office", "is_active"]
    list_filter = ["role", "is_active", "office__level"]
    list_select_related = ["office"]
    autocomplete_fields = ["office"]
    fieldsets = BaseUserAdmin.fieldsets + (("BHXH", {"fields": ("role", "office", "title")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("BHXH", {"fields": ("role", "office", "title")}),)
