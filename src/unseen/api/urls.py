"""The API's URLs: every operation registered once, mounted by config at /api/v1/."""

from . import intake, records
from .service import api
from .service import urlpatterns as api_urlpatterns

records.register_all()
api.add_router("", records.router)
api.add_router("", intake.router)

urlpatterns = api_urlpatterns()
