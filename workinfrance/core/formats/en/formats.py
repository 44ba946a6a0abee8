"""English as read in France and the UK: day before month (29/11/2026, 29 Nov 2026), 24-hour clock.

Django's plain "en" formats are American (11/29/2026): a student would read the 3rd of April for
the 4th of March on her permit dates."""

from django.conf.locale.en_GB.formats import *  # noqa: F403
