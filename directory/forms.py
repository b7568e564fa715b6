from wagtail.admin.forms import WagtailAdminPageForm


class ServicePageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned_data = super().clean()
        error = self.instance.service_area_error(
            cleaned_data.get("wijken"), cleaned_data.get("municipalities")
        )
        if error:
            self.add_error("wijken", error)
        return cleaned_data
