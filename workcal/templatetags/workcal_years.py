"""{% load workcal_years %}{% if dossier.legal_due_at|in_provisional_year %}…{% endif %}"""
from django import template

from workcal import years

register = template.Library()


@register.filter
def in_provisional_year(moment) -> bool:
    """True when the moment falls in a year whose days off have not been announced (DOMAIN.md §3)."""
    return years.is_provisional(moment)
