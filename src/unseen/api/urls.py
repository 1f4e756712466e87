"""The API's URLs: every operation registered once, mounted by config at /api/v1/."""

# testimonies first: its DETAIL_EXTRAS must be in place before register_all.
from . import files, intake, records, runs, testimonies
from .service import api
from .service import urlpatterns as api_urlpatterns

records.register_all()
api.add_router("", records.router)
api.add_router("", testimonies.router)
api.add_router("", runs.router)
api.add_router("", files.router)
api.add_router("", intake.router)

urlpatterns = api_urlpatterns()
