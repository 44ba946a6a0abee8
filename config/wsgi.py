import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
application = get_wsgi_application()

# Upload spools of a web worker killed mid-request are removed when workers (re)start.
from workinfrance.core.files import upload_temp_files_clean  # noqa: E402

upload_temp_files_clean()
