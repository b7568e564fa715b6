"""The directory's content types, one module each, re-exported here."""

from .channel import ServiceChannel
from .content import ContentPage
from .home import HomePage
from .partner import PartnerIndexPage, PartnerPage
from .reference import Language, Municipality
from .service import OpeningHours, OpeningHoursException, ServiceLocation, ServicePage
from .taxonomy import Audience, Theme, ThemeIndexPage
from .wijk import WijkIndexPage, WijkPage

__all__ = [
    "Audience",
    "ContentPage",
    "HomePage",
    "Language",
    "Municipality",
    "OpeningHours",
    "OpeningHoursException",
    "PartnerIndexPage",
    "PartnerPage",
    "ServiceChannel",
    "ServiceLocation",
    "ServicePage",
    "Theme",
    "ThemeIndexPage",
    "WijkIndexPage",
    "WijkPage",
]
