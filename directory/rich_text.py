"""The rich text editor's widget, tolerant of a body that is not the editor's format.

Draftail posts its content as JSON. A request that posts anything else (an old
browser form, a script, pasted HTML) made Wagtail's widget raise a server error. Here
such text is kept, escaped, as plain paragraphs: nothing the editor sent is lost and
no markup from it is trusted.
"""

import json

from django.utils.html import escape

from wagtail.admin.rich_text import DraftailRichTextArea


class DraftailRichTextArea(DraftailRichTextArea):
    def value_from_datadict(self, data, files, name):
        source = data.get(name)
        if source:
            try:
                json.loads(source)
            except ValueError:
                paragraphs = [p.strip() for p in source.split("\n\n") if p.strip()]
                return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        return super().value_from_datadict(data, files, name)
