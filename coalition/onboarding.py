"""Onboarding a partner, and removing its staff's access, each in one step.

Permissions are granted on every language version of the partner page, because
each locale has its own page tree; ``grant_translation`` covers translations
made later.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from directory.models import PartnerIndexPage, PartnerPage

from . import roles
from .models import PartnerAccess


class OnboardingError(ValueError):
    pass


def _versions(partner: PartnerPage):
    return PartnerPage.objects.filter(translation_key=partner.translation_key)


@transaction.atomic
def onboard_partner(
    title: str = "",
    partner_type: str = "",
    *,
    partner: PartnerPage | None = None,
    may_publish_directly: bool = False,
    user=None,
    page_fields: dict | None = None,
) -> PartnerAccess:
    """Give a partner its page, groups, collection, permissions and workflow.

    Pass an existing Dutch ``partner`` page, or a ``title`` and ``partner_type`` to
    create it (as a draft below the Dutch partner index), with ``page_fields``
    for the rest of the new page (the HSDS import gives its id, address and
    texts). Running it again for the same partner only repairs what is missing.
    """
    if partner is None:
        partner = _create_partner_page(title, partner_type, user, page_fields or {})
    elif partner.locale.language_code != settings.LANGUAGE_CODE:
        partner = partner.get_translation(Locale.objects.get(language_code=settings.LANGUAGE_CODE))

    access = PartnerAccess.objects.filter(partner=partner).first()
    if access is None:
        name = partner.title
        group_names = [f"{name} · redactie"[:150], f"{name} · publicatie"[:150]]
        if Group.objects.filter(name__in=group_names).exists():
            raise OnboardingError(
                _("Groups for a partner named “%(name)s” exist already.") % {"name": name}
            )
        editors = Group.objects.create(name=group_names[0])
        publishers = Group.objects.create(name=group_names[1])
        collection = Collection.get_first_root_node().add_child(name=name)
        review_task = GroupApprovalTask.objects.create(name=f"Partnerreview {name}"[:255])
        workflow = Workflow.objects.create(name=f"{name}: partnerreview en moderatie"[:255])
        WorkflowTask.objects.create(workflow=workflow, task=review_task, sort_order=0)
        WorkflowTask.objects.create(workflow=workflow, task=roles.moderation_task(), sort_order=1)
        access = PartnerAccess.objects.create(
            partner=partner,
            editors=editors,
            publishers=publishers,
            collection=collection,
            review_task=review_task,
            workflow=workflow,
            may_publish_directly=may_publish_directly,
        )
    else:
        access.may_publish_directly = may_publish_directly
        access.active = True
        access.save()
    apply_access(access)
    return access


def _create_partner_page(title: str, partner_type: str, user, fields: dict) -> PartnerPage:
    from directory.choices import PartnerType

    title = (title or "").strip()
    if not title:
        raise OnboardingError(_("A partner needs a name."))
    if partner_type not in PartnerType.values:
        raise OnboardingError(
            _("Unknown type of organisation “%(type)s”; choose one of: %(choices)s.")
            % {"type": partner_type, "choices": ", ".join(PartnerType.values)}
        )
    dutch = Locale.objects.get(language_code=settings.LANGUAGE_CODE)
    index = PartnerIndexPage.objects.filter(locale=dutch).first()
    if index is None:
        raise OnboardingError(_("There is no Dutch partner index page to add the partner to."))
    slug = fields.get("slug") or slugify(title)[:255]
    if PartnerPage.objects.filter(locale=dutch, title__iexact=title).exists():
        raise OnboardingError(_("A partner named “%(name)s” exists already.") % {"name": title})
    if PartnerPage.objects.filter(locale=dutch, slug=slug).exists():
        raise OnboardingError(
            _("A partner with the address “%(slug)s” exists already.") % {"slug": slug}
        )
    page = PartnerPage(
        **{**fields, "title": title, "slug": slug, "partner_type": partner_type},
        live=False,
        owner=user,
    )
    index.add_child(instance=page)
    page.save_revision(user=user, log_action=True)
    return page


def apply_access(access: PartnerAccess) -> None:
    """Make the groups' permissions match the access record, on every language version."""
    versions = list(_versions(access.partner))
    groups = [access.editors, access.publishers]
    if not access.active:
        _clear(access)
        return
    for group in groups:
        group.permissions.add(*roles.permissions(roles.PARTNER_STAFF_PERMISSIONS))
        roles.grant_pages(group, versions, roles.PARTNER_PAGE_PERMISSIONS)
        roles.grant_collection(group, access.collection, roles.PARTNER_COLLECTION_PERMISSIONS)
    publish = roles.permissions(roles.PARTNER_PUBLISH_PERMISSIONS)
    if access.may_publish_directly:
        roles.grant_pages(access.publishers, versions, roles.PARTNER_PUBLISH_PERMISSIONS)
    else:
        GroupPagePermission.objects.filter(group__in=groups, permission__in=publish).delete()
    GroupPagePermission.objects.filter(group=access.editors, permission__in=publish).delete()
    # Partner publishers review first; moderators may too, so no page waits on a
    # partner without publishers.
    access.review_task.groups.set([access.publishers, Group.objects.get(name=roles.MODERATORS)])
    for version in versions:
        WorkflowPage.objects.update_or_create(page=version, defaults={"workflow": access.workflow})


def _clear(access: PartnerAccess) -> None:
    groups = [access.editors, access.publishers]
    GroupPagePermission.objects.filter(group__in=groups).delete()
    GroupCollectionPermission.objects.filter(group__in=groups).delete()
    for group in groups:
        group.permissions.clear()


@transaction.atomic
def revoke_partner_access(access: PartnerAccess) -> list[str]:
    """Remove every member of the partner's groups and their permissions.

    Returns the usernames that lost access. The pages, collection and workflow
    stay, so a later onboarding restores access without losing anything.
    """
    users = list(access.staff().values_list("username", flat=True))
    access.editors.user_set.clear()
    access.publishers.user_set.clear()
    access.active = False
    access.save(update_fields=["active"])
    _clear(access)
    return users


def grant_translation(page: PartnerPage) -> None:
    """A new language version of an onboarded partner gets the same access."""
    access = PartnerAccess.objects.filter(partner__translation_key=page.translation_key).first()
    if access is not None:
        apply_access(access)


def add_staff(access: PartnerAccess, user, *, publisher: bool = False) -> None:
    (access.publishers if publisher else access.editors).user_set.add(user)
