"""The coalition's roles, as Wagtail groups and permissions.

- Administrator: a Wagtail administrator (``is_superuser``, "Administrator" in the
  user form). Only administrators manage users and groups.
- Moderator (``MODERATORS``): edits and publishes every page, approves the
  "coalition moderation" step of every partner's workflow, sees contact persons,
  lists changes per partner, reads and closes every partner's suggestions from
  residents and keeps the search thesaurus.
- Professional (``PROFESSIONALS``): logs in on the public site to see contact
  persons and internal notes; has no admin access and edits nothing.
- Partner editor and partner publisher: one pair of groups per partner, made by
  ``coalition.onboarding``; their page and collection permissions cover only that
  partner's pages (in every language) and collection.

``ensure_roles`` runs after every migrate, so the groups and the shared
moderation task exist on every installation and keep the permissions listed here.
"""

from django.contrib.auth.models import Group, Permission

from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

MODERATORS = "Coalitiemoderatie"
PROFESSIONALS = "Professionals"
MODERATION_TASK = "Coalitiemoderatie"
DEFAULT_WORKFLOW = "Coalitiemoderatie"

# Wagtail's initial data makes "Editors" and "Moderators" with rights on the whole
# tree; a partner's editor added to them by mistake could edit every partner.
WAGTAIL_DEFAULT_GROUPS = ("Editors", "Moderators")

ADMIN_ACCESS = "wagtailadmin.access_admin"
SUBMIT_TRANSLATION = "wagtail_localize.submit_translation"
VIEW_CONTACT_PERSONS = "coalition.view_contactperson"

# The search thesaurus (search.ThesaurusConcept): moderators keep it, partners do not.
THESAURUS_PERMISSIONS = [
    f"search.{action}_thesaurusconcept" for action in ("add", "change", "delete", "view")
]
# Residents' suggestions: moderators read and close every partner's.
SUGGESTION_PERMISSIONS = ["coalition.view_suggestion", "coalition.change_suggestion"]
MODERATOR_PERMISSIONS = [
    ADMIN_ACCESS,
    SUBMIT_TRANSLATION,
    VIEW_CONTACT_PERSONS,
    "coalition.view_partner_changes",
    *SUGGESTION_PERMISSIONS,
    *THESAURUS_PERMISSIONS,
]
MODERATOR_PAGE_PERMISSIONS = [
    "wagtailcore.add_page",
    "wagtailcore.change_page",
    "wagtailcore.publish_page",
    "wagtailcore.lock_page",
]
MODERATOR_COLLECTION_PERMISSIONS = ["wagtailimages.choose_image", "wagtaildocs.choose_document"]

PROFESSIONAL_PERMISSIONS = [VIEW_CONTACT_PERSONS]

PARTNER_STAFF_PERMISSIONS = [ADMIN_ACCESS, SUBMIT_TRANSLATION, VIEW_CONTACT_PERSONS]
PARTNER_PAGE_PERMISSIONS = ["wagtailcore.add_page", "wagtailcore.change_page"]
PARTNER_PUBLISH_PERMISSIONS = ["wagtailcore.publish_page"]
PARTNER_COLLECTION_PERMISSIONS = [
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
]


def permissions(names: list[str]) -> list[Permission]:
    """``app_label.codename`` or bare Wagtail page/image/document codenames."""
    found = []
    for name in names:
        if "." in name:
            app_label, codename = name.split(".", 1)
            found.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        else:
            app_label = {"page": "wagtailcore", "image": "wagtailimages"}.get(
                name.rsplit("_", 1)[1], "wagtaildocs"
            )
            found.append(Permission.objects.get(content_type__app_label=app_label, codename=name))
    return found


def grant_pages(group: Group, pages, codenames: list[str]) -> None:
    for page in pages:
        for permission in permissions(codenames):
            GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)


def grant_collection(group: Group, collection: Collection, codenames: list[str]) -> None:
    for permission in permissions(codenames):
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=collection, permission=permission
        )


def moderation_task() -> GroupApprovalTask:
    task, _created = GroupApprovalTask.objects.get_or_create(
        name=MODERATION_TASK, defaults={"active": True}
    )
    task.groups.add(Group.objects.get(name=MODERATORS))
    return task


def ensure_roles() -> None:
    moderators, _created = Group.objects.get_or_create(name=MODERATORS)
    moderators.permissions.add(*permissions(MODERATOR_PERMISSIONS))
    root = Page.get_first_root_node()
    if root:
        grant_pages(moderators, [root], MODERATOR_PAGE_PERMISSIONS)
    grant_collection(moderators, Collection.get_first_root_node(), MODERATOR_COLLECTION_PERMISSIONS)

    professionals, _created = Group.objects.get_or_create(name=PROFESSIONALS)
    professionals.permissions.set(permissions(PROFESSIONAL_PERMISSIONS))

    Group.objects.filter(name__in=WAGTAIL_DEFAULT_GROUPS, user__isnull=True).delete()

    # Pages outside any partner (home, wijken, themes) go through moderation alone.
    task = moderation_task()
    workflow, _created = Workflow.objects.get_or_create(
        name=DEFAULT_WORKFLOW, defaults={"active": True}
    )
    if not workflow.workflow_tasks.exists():
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    if root:
        WorkflowPage.objects.filter(page=root).exclude(workflow=workflow).delete()
        WorkflowPage.objects.get_or_create(page=root, defaults={"workflow": workflow})


def is_professional_viewer(user) -> bool:
    """Whether ``user`` may see contact persons and internal notes."""
    return bool(user and user.is_active and user.has_perm(VIEW_CONTACT_PERSONS))


def is_moderator(user) -> bool:
    """Coalition moderators and administrators: who sees the whole directory
    at once (the HSDS export, the coordinators' overview)."""
    return bool(
        user
        and user.is_active
        and (user.is_superuser or user.groups.filter(name=MODERATORS).exists())
    )
