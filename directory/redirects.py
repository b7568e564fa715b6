"""No automatic redirect from a page's own address to itself.

Why: Wagtail 8.0.1 makes a redirect from a page's old address whenever its slug
changes, and never removes it when the page gets that address back. A slug changed
from ``a`` to ``b`` and back left the redirect ``a`` → the page, which is at ``a``:
for an unpublished page ``a`` answers 404, the redirect middleware then sends the
visitor to ``a`` again, an endless 301 loop.

What: after every slug change, automatic redirects to the page from any of its
current addresses are deleted. The order against Wagtail's own receiver does not
matter: Wagtail only adds redirects from the old addresses.

When it can go: once Wagtail's ``create_redirects`` deletes redirects that clash
with the page's new addresses (not as of 8.0.1); ``tests/directory/test_redirects.py`` then passes without it.
"""

from django.db.models import Q

from wagtail.contrib.redirects.models import Redirect
from wagtail.signals import page_slug_changed


def remove_redirects_to_itself(sender, instance, **kwargs):
    parts = instance.get_url_parts()
    if parts is None:
        return
    site_id, _root_url, page_path = parts
    # A redirect for every site (no site) from the same path loops as well.
    Redirect.objects.filter(
        Q(site_id=site_id) | Q(site__isnull=True),
        redirect_page=instance,
        automatically_created=True,
        old_path=Redirect.normalise_path(page_path),
    ).delete()


def connect():
    page_slug_changed.connect(remove_redirects_to_itself, dispatch_uid="directory_no_self_redirect")
