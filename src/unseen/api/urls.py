"""The API's URLs: every operation registered once, mounted by config at /api/v1/."""

from . import (
    files,
    records,
    runs,
    testimonies,
)  # testimonies: its DETAIL_EXTRAS before register_all
from .service import api
from .service import urlpatterns as api_urlpatterns

records.register_all()
api.add_router("", records.router)
api.add_router("", testimonies.router)
api.add_router("", runs.router)
api.add_router("", files.router)

urlpatterns = api_urlpatterns()
