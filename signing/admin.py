from django.contrib import admin

from .models import SignedDocument, SigningKey, TrustedRoot


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "backend", "active", "created_at"]
    list_filter = ["backend", "active"]
    raw_id_fields = ["user", "office"]


@admin.register(TrustedRoot)
class TrustedRootAdmin(admin.ModelAdmin):
    list_display = ["name", "active", "created_at"]


@admin.register(SignedDocument)
class SignedDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "dossier_code", "signer_name", "level", "signed_at"]
    list_filter = ["kind", "level", "seal"]
    search_fields = ["dossier_code", "sha256", "reference"]
    readonly_fields = [f.name for f in SignedDocument._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
