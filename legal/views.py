"""The Legal Department's page: the legal-basis sets by date, each editable (GET shows, POST saves).
Only the Legal Department and the administrator may open it (403 for everyone else)."""
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.permissions import capability_required

from . import selectors, services
from .forms import LegalBasisSetForm
from .models import LegalBasisSet


@capability_required("edit_legal_basis")
def basis_list(request):
    return render(request, "legal/list.html", {"sets": selectors.legal_basis_list()})


@capability_required("edit_legal_basis")
def basis_edit(request, pk=None):
    instance = get_object_or_404(LegalBasisSet, pk=pk) if pk else LegalBasisSet()
    form = LegalBasisSetForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.legal_basis_save(instance=form.save(commit=False), actor=request.user)
        messages.success(request, _("Đã lưu bộ căn cứ pháp lý."))
        return redirect("legal:list")
    return render(request, "legal/edit.html", {"form": form, "basis": instance},
                  status=400 if form.is_bound else 200)
