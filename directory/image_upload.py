"""Corrupt image uploads get a form error instead of a server error.

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


class ImageForm(BaseImageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        if type(field) is WagtailImageField:
            # Same field, same settings; only the check above differs.
            field.__class__ = CheckedImageField
