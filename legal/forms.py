from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LegalBasisSet, SlipKind

FORM_FIELDS = [f"{kind}_{part}" for kind in SlipKind.values for part in ("number", "title")]


class LegalBasisSetForm(forms.ModelForm):
    valid_from = forms.DateField(label=_("Áp dụng từ ngày"), input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                                 widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}))

    class Meta:
        model = LegalBasisSet
        fields = ["name", "valid_from", "decree", "circular", "desk_rules", *FORM_FIELDS]
