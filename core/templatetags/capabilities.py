"""Capabilities in templates (core.permissions):

    {% load capabilities %}
    {% if user|can:"view_reports" %}…{% endif %}              a page capability
    {% can_do "sign_apology" dossier as may_sign %}            an object capability, for the signed-in user
"""
from django import template

from core import permissions

register = template.Library()


@register.filter
def can(user, name):
    return permissions.can(user, name)


@register.simple_tag(takes_context=True)
def can_do(context, name, obj=None):
    return permissions.can(context["user"], name, obj)
