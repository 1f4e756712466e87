import time
import pytest
from unseen.demo.loading import load_demo
from unseen.dossiers.composing import compose
from unseen.dossiers.subjects import Subject
from unseen.core.pdf import render_pdf
from unseen.registry.models import Organisation, Site
from unseen.documentation.models import Deployment
from django.db.models import Count


@pytest.mark.django_db
def test_scratch(rita, andy):
    t = time.time(); load_demo(); print("demo", time.time() - t)
    org = Organisation.objects.annotate(n=Count("dispatched")).order_by("-n").first()
    site = Site.objects.annotate(n=Count("deployments")).order_by("-n").first()
    top = Deployment.objects.values("host_country").annotate(n=Count("id")).order_by("-n")[:3]
    print(org, org.n, site, site.n, list(top))
    import pymupdf
    for subj, lang in [(Subject("organisation", str(org.pk)), "en"), (Subject("site", str(site.pk)), "ko"), (Subject("country", top[0]["host_country"]), "en")]:
        t = time.time(); c = compose(subj, rita, lang); t1 = time.time() - t
        t = time.time(); pdf = render_pdf(c.html, assets=c.assets); t2 = time.time() - t
        doc = pymupdf.open(stream=pdf, filetype="pdf")
        print(subj, lang, "compose", round(t1, 2), "render", round(t2, 2), "pages", doc.page_count, "notes", len(c.footnotes), c.highest_level)
        name = f"/tmp/h21c/{subj.kind}-{lang}"
        open(name + ".html", "w").write(c.html)
        open(name + ".pdf", "wb").write(pdf)
        for i in range(doc.page_count):
            doc[i].get_pixmap(dpi=80).save(f"{name}-p{i+1}.png")
