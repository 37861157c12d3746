from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Office, User

# The admin speaks the portal's language with its own header (issue 12), not "Trang quản trị cho Django".
admin.site.site_header = _("Quản trị hệ thống Một cửa BHXH")
admin.site.site_title = _("Quản trị Một cửa BHXH")
admin.site.index_title = _("Danh mục quản trị")


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "agency_code", "valid_from", "valid_to",
                    "allow_receiver_resolve"]
    list_filter = ["level"]
    search_fields = ["code", "name", "agency_code"]
    autocomplete_fields = ["parent"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "office", "is_active"]
    list_filter = ["role", "is_active", "office__level"]
    list_select_related = ["office"]
    autocomplete_fields = ["office"]
    fieldsets = BaseUserAdmin.fieldsets + (("BHXH", {"fields": ("role", "office", "title", "is_unit_head")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("BHXH", {"fields": ("role", "office", "title", "is_unit_head")}),)
