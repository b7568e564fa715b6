"""Who may change a contact person: whoever may edit that partner's pages.

Django's model permissions are global, so a partner's editors get no
``change_contactperson`` permission; their rights follow from their page
permissions on the partner, and stop when those are removed.
"""

from django.conf import settings

from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permission_policies.pages import PagePermissionPolicy

from directory.models import PartnerPage

PARTNER_ACTIONS = {"add", "change", "delete"}


def editable_partners(user):
    """Dutch partner pages whose pages ``user`` may edit."""
    if not (user and user.is_active and user.is_authenticated):
        return PartnerPage.objects.none()
    pages = PagePermissionPolicy().instances_user_has_permission_for(user, "change")
    keys = PartnerPage.objects.filter(id__in=pages.values("id")).values("translation_key")
    return PartnerPage.objects.filter(
        translation_key__in=keys, locale__language_code=settings.LANGUAGE_CODE
    )


class ContactPersonPermissionPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        if super().user_has_permission(user, action):
            return True
        return action in PARTNER_ACTIONS and editable_partners(user).exists()

    def user_has_permission_for_instance(self, user, action, instance):
        if super().user_has_permission(user, action):
            return True
        return (
            action in PARTNER_ACTIONS
            and editable_partners(user)
            .filter(translation_key=instance.partner.translation_key)
            .exists()
        )

    def instances_user_has_any_permission_for(self, user, actions):
        if any(
            super(ContactPersonPermissionPolicy, self).user_has_permission(user, a) for a in actions
        ):
            return self.model.objects.all()
        if PARTNER_ACTIONS & set(actions):
            return self.model.objects.filter(partner__in=editable_partners(user))
        return self.model.objects.none()


SUGGESTION_ACTIONS = {"view", "change"}


class SuggestionPermissionPolicy(ModelPermissionPolicy):
    """Residents' suggestions: a partner's editors read and close those about
    their partner's services; moderators (with the model permissions) all of
    them. Nobody adds one in the admin: they come from residents."""

    def _partner_staff(self, user, action) -> bool:
        return action in SUGGESTION_ACTIONS and editable_partners(user).exists()

    def user_has_permission(self, user, action):
        if action == "add":
            return False
        return super().user_has_permission(user, action) or self._partner_staff(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "add":
            return False
        if super().user_has_permission(user, action):
            return True
        return (
            action in SUGGESTION_ACTIONS
            and self.model.objects.for_partners(editable_partners(user))
            .filter(pk=instance.pk)
            .exists()
        )

    def instances_user_has_any_permission_for(self, user, actions):
        actions = set(actions) - {"add"}
        if any(
            super(SuggestionPermissionPolicy, self).user_has_permission(user, a) for a in actions
        ):
            return self.model.objects.all()
        if SUGGESTION_ACTIONS & actions:
            return self.model.objects.for_partners(editable_partners(user))
        return self.model.objects.none()
