from django import template

from core.phones import display_phone

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, key) if mapping else key


@register.filter
def phone_vn(phone):
    """`+84983456789` → `0983 456 789` (masked numbers keep their stars)."""
    return display_phone(phone or "")
