"""Corrupt image uploads get a form error instead of a server error, and the
form says that images are always public.

Images are served by the web server from ``/media/``, whatever the privacy of
their collection (that privacy applies to documents, which Django serves). Serving
images through Django with their collection's privacy would put every picture on
every public page behind a permission check and keep them out of shared caches,
for pictures that are meant to be shown to residents; so the form says it plainly
instead, next to the file and the collection.

Why: Wagtail 8.0's ``WagtailImageField`` asks Willow for the format first, which
looks only at the file's magic bytes; a file that starts like a PNG but is not one
passes, and Pillow's ``UnidentifiedImageError`` from the pixel-size check then
escapes as a 500. ``WAGTAILIMAGES_IMAGE_FORM_BASE`` points at ``ImageForm`` below,
whose file field turns that error into Wagtail's own "not a valid image" message.

When it can go: once ``WagtailImageField.check_image_pixel_size`` catches Pillow's
open errors; ``tests/coalition/test_bad_input.py`` (corrupt image) then passes
without it.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm

from PIL import UnidentifiedImageError


class CheckedImageField(WagtailImageField):
    def check_image_pixel_size(self, f):
        try:
            super().check_image_pixel_size(f)
        except (UnidentifiedImageError, OSError, SyntaxError) as error:
            raise ValidationError(
                self.error_messages["invalid_image"], code="invalid_image"
            ) from error


ALWAYS_PUBLIC = _(
    "Images are always public: anyone with the address can open them, also in a "
    "collection whose privacy is restricted. Do not upload confidential pictures."
)


class ImageForm(BaseImageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("file", "collection"):
            if name in self.fields:
                help_text = self.fields[name].help_text
                self.fields[name].help_text = (
                    f"{help_text} {ALWAYS_PUBLIC}" if help_text else ALWAYS_PUBLIC
                )
        field = self.fields.get("file")
        if type(field) is WagtailImageField:
            # Same field, same settings; only the check above differs.
            field.__class__ = CheckedImageField
