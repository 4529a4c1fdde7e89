"""The report form and its views: create, every kind of bad input, double posts, edit, saved, photos."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from samtrygg.analysis import geo
from samtrygg.audit.models import AuditEntry
from samtrygg.categories.models import Category
from samtrygg.reports import services
from samtrygg.reports.forms import DATETIME_LOCAL, ReportForm, place_position
from samtrygg.reports.models import Report, ReportPhoto, SubmissionToken
from samtrygg.reports.nearby import nearby_reports
from tests.factories import CENTRE_X, CENTRE_Y, AreaFactory, PlaceFactory, make_report, square

_lon, _lat = geo.sweref_to_wgs84(CENTRE_X, CENTRE_Y)
LAT, LON = round(float(_lat), 7), round(float(_lon), 7)  # CENTRE_X/Y in WGS84, about 59.8586, 17.6389
CREATE = reverse("reports:create")


def local(dt):
    return timezone.localtime(dt).strftime(DATETIME_LOCAL)


def png_bytes(size=(8, 8), fmt="PNG"):
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, format=fmt)
    return buf.getvalue()


def upload(name="foto.png", content=None, content_type="image/png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, png_bytes() if content is None else content, content_type=content_type)


def good_data(**overrides):
    data = {
        "lat": LAT, "lon": LON, "occurred_at": local(timezone.now() - timedelta(minutes=30)),
        "category": Category.objects.get(code="klotter").pk, "quantity": 3,
        "description": "Nya taggar på muren vid lekplatsen", "token": "tok-1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def logged_in(client, reporter, area):
    client.force_login(reporter)
    return client


# ---- good create -----------------------------------------------------------------------------------

def test_create_page_shows_the_form_with_now_and_active_categories(logged_in):
    Category.objects.filter(code="brand").update(is_active=False)
    response = logged_in.get(CREATE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="datetime-local"' in html
    assert timezone.localtime().strftime("%Y-%m-%dT") in html
    assert "Klotter" in html
    assert "Brand" not in html
    assert 'name="token"' in html
    assert 'id="report-map"' in html


def test_good_create_saves_report_areas_audit_and_redirects_to_saved(logged_in, reporter, area):
    response = logged_in.post(CREATE, good_data())
    assert response.status_code == 302
    report = Report.objects.get()
    assert response["Location"] == reverse("reports:saved", args=[report.pk])
    assert report.created_by == reporter and report.organization == reporter.organization
    assert report.category.code == "klotter" and report.quantity == 3 and report.source == "web"
    assert abs(report.x - CENTRE_X) < 50 and abs(report.y - CENTRE_Y) < 50
    assert list(report.areas.all()) == [area]
    assert AuditEntry.objects.filter(action="create", object_id=str(report.pk)).exists()
    # The time typed is Stockholm local time.
    assert timezone.localtime(report.occurred_at).strftime(DATETIME_LOCAL) == good_data()["occurred_at"]


def test_create_with_a_place_only_uses_its_centre_and_stores_it(logged_in, area):
    park = PlaceFactory(code="parken", name="Parken", geometry=square(CENTRE_X + 300, CENTRE_Y + 200, 50))
    response = logged_in.post(CREATE, good_data(lat=None, lon=None, place=park.pk))
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.place == park
    assert abs(report.x - (CENTRE_X + 300)) < 1 and abs(report.y - (CENTRE_Y + 200)) < 1
    assert list(report.places.all()) == [park]


def test_place_position_of_an_l_shaped_place_lies_inside_it(db):
    import shapely

    # An L whose centroid lies in the missing corner.
    ell = shapely.difference(shapely.box(CENTRE_X, CENTRE_Y, CENTRE_X + 300, CENTRE_Y + 300),
                             shapely.box(CENTRE_X + 30, CENTRE_Y + 30, CENTRE_X + 300, CENTRE_Y + 300))
    assert not ell.contains(ell.centroid)
    place = PlaceFactory(code="ell", geometry=ell)
    lat, lon = place_position(place)
    x, y = geo.wgs84_to_sweref(lon, lat)
    assert place.shape.contains(shapely.Point(float(x), float(y)))


def test_time_span_and_photos_are_saved(logged_in, reporter):
    start = timezone.now() - timedelta(hours=3)
    data = good_data(occurred_at=local(start), occurred_until=local(start + timedelta(hours=2)))
    data["photos"] = [upload("a.png"), upload("b.jpg", png_bytes(fmt="JPEG"), "image/jpeg")]
    response = logged_in.post(CREATE, data)
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.occurred_until - report.occurred_at == timedelta(hours=2)
    photos = list(report.photos.order_by("pk"))
    assert len(photos) == 2
    assert photos[0].image.name.endswith(".png") and photos[1].image.name.endswith(".jpg")
    assert photos[0].uploaded_by == reporter


# ---- bad input -------------------------------------------------------------------------------------

def errors_of(response):
    assert response.status_code == 200, response.status_code
    assert Report.objects.count() == 0
    return response.context["form"].errors


def test_no_position(logged_in):
    errors = errors_of(logged_in.post(CREATE, good_data(lat=None, lon=None)))
    assert "Var hände det" in errors["lat"][0]


def test_half_a_position(logged_in):
    errors = errors_of(logged_in.post(CREATE, good_data(lon=None)))
    assert "både latitud och longitud" in errors["lat"][0]


def test_position_outside_every_area(logged_in):
    response = logged_in.post(CREATE, good_data(lat=59.33, lon=18.07))  # Stockholm
    errors = errors_of(response)
    assert "utanför kommunens områden" in errors["lat"][0]
    html = response.content.decode()
    assert 'id="id_lat_error"' in html and 'aria-describedby="id_lat_error"' in html


def test_position_in_an_inactive_area_only_is_outside(logged_in, area):
    area.is_active = False
    area.save()
    errors = errors_of(logged_in.post(CREATE, good_data()))
    assert "utanför kommunens områden" in errors["lat"][0]


def test_nonsense_coordinates(logged_in):
    errors = errors_of(logged_in.post(CREATE, good_data(lat="abc", lon=17.6)))
    assert "lat" in errors


def test_future_date(logged_in):
    later = local(timezone.now() + timedelta(hours=2))
    errors = errors_of(logged_in.post(CREATE, good_data(occurred_at=later)))
    assert "framtiden" in errors["occurred_at"][0]


def test_a_few_minutes_ahead_is_tolerated(logged_in):
    response = logged_in.post(CREATE, good_data(occurred_at=local(timezone.now() + timedelta(minutes=2))))
    assert response.status_code == 302


def test_unparseable_date(logged_in):
    errors = errors_of(logged_in.post(CREATE, good_data(occurred_at="igår kväll")))
    assert "occurred_at" in errors


def test_until_before_from(logged_in):
    start = timezone.now() - timedelta(hours=2)
    errors = errors_of(logged_in.post(CREATE, good_data(
        occurred_at=local(start), occurred_until=local(start - timedelta(hours=1)))))
    assert "efter starttiden" in errors["occurred_until"][0]


def test_until_in_the_future(logged_in):
    tomorrow = local(timezone.now() + timedelta(days=1))
    errors = errors_of(logged_in.post(CREATE, good_data(occurred_until=tomorrow)))
    assert "framtiden" in errors["occurred_until"][0]


@pytest.mark.parametrize("quantity", ["0", "-2", "tre", "1.5", "1000001"])
def test_bad_quantity(logged_in, quantity):
    errors = errors_of(logged_in.post(CREATE, good_data(quantity=quantity)))
    assert "quantity" in errors


def test_unknown_category(logged_in):
    errors = errors_of(logged_in.post(CREATE, good_data(category=999999)))
    assert "går inte att använda" in errors["category"][0]


def test_inactive_category(logged_in):
    cat = Category.objects.get(code="brand")
    cat.is_active = False
    cat.save()
    errors = errors_of(logged_in.post(CREATE, good_data(category=cat.pk)))
    assert "går inte att använda" in errors["category"][0]


def test_missing_category(logged_in):
    errors = errors_of(logged_in.post(CREATE, good_data(category=None)))
    assert "Välj vad som hände" in errors["category"][0]


def test_oversized_photo_is_named(logged_in, settings):
    settings.SAMTRYGG_MAX_PHOTO_BYTES = 1000
    big = png_bytes(size=(400, 400))
    assert len(big) > 1000
    response = logged_in.post(CREATE, {**good_data(), "photos": [upload("stor-bild.png", big)]})
    errors = errors_of(response)
    assert "stor-bild.png" in errors["photos"][0] and "är för stor" in errors["photos"][0]
    assert ReportPhoto.objects.count() == 0
    assert "Bifoga dem på nytt" in response.content.decode()


def test_non_image_upload_is_named(logged_in):
    fake = upload("inte-en-bild.jpg", b"%PDF-1.4 hello", "image/jpeg")
    errors = errors_of(logged_in.post(CREATE, {**good_data(), "photos": [fake]}))
    assert "inte-en-bild.jpg" in errors["photos"][0] and "ingen bild som går att läsa" in errors["photos"][0]


def test_each_bad_photo_gets_its_own_message(logged_in):
    files = [upload("bra.png"), upload("trasig1.png", b"nope"), upload("trasig2.gif", b"GIF89a broken")]
    errors = errors_of(logged_in.post(CREATE, {**good_data(), "photos": files}))
    text = " ".join(errors["photos"])
    assert "trasig1.png" in text and "trasig2.gif" in text and "bra.png" not in text


# ---- personal data ---------------------------------------------------------------------------------

def test_personal_data_is_warned_with_highlight(logged_in):
    response = logged_in.post(CREATE, good_data(description="Killen med pnr 121212-1212 klottrade"))
    errors = errors_of(response)
    assert "innehålla personuppgifter (personnummer)" in errors["description"][0]
    html = response.content.decode()
    assert '<mark class="pii-highlight" data-kind="personnummer">121212-1212</mark>' in html
    assert 'name="save_anyway"' in html
    assert '<span class="pii-label">(personnummer)</span>' in html


def test_personal_data_saved_when_confirmed(logged_in):
    response = logged_in.post(CREATE, good_data(description="Bil ABC 123 brann", save_anyway="on"))
    assert response.status_code == 302
    assert Report.objects.get().description == "Bil ABC 123 brann"


def test_personal_data_removed_then_saved(logged_in):
    logged_in.post(CREATE, good_data(description="Ring 070-123 45 67"))
    response = logged_in.post(CREATE, good_data(description="Ring vaktbolaget"))
    assert response.status_code == 302


def test_highlight_escapes_html(logged_in):
    response = logged_in.post(CREATE, good_data(description="<script>x</script> 121212-1212"))
    html = response.content.decode()
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;" in html


def test_check_text_fragment(logged_in):
    url = reverse("reports:check_text")
    response = logged_in.post(url, {"description": "mejla a@b.se"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<mark class="pii-highlight" data-kind="email">a@b.se</mark>' in html
    clean = logged_in.post(url, {"description": "Inget konstigt"})
    assert clean.status_code == 200 and clean.content.decode().strip() == ""


def test_check_text_needs_post_and_reporter(client, user_factory):
    url = reverse("reports:check_text")
    client.force_login(user_factory("viewer", username="lasare"))
    assert client.post(url, {"description": "x"}).status_code == 403
    client.force_login(user_factory("reporter", username="r2"))
    assert client.get(url).status_code == 405


# ---- double post -----------------------------------------------------------------------------------

def test_double_post_creates_one_report(logged_in):
    first = logged_in.post(CREATE, good_data(token="samma"))
    second = logged_in.post(CREATE, good_data(token="samma"), follow=True)
    assert Report.objects.count() == 1
    report = Report.objects.get()
    assert first["Location"] == reverse("reports:saved", args=[report.pk])
    assert second.redirect_chain[-1][0] == reverse("reports:saved", args=[report.pk])
    assert "redan sparad" in second.content.decode()


def test_a_new_token_makes_a_new_report(logged_in):
    logged_in.post(CREATE, good_data(token="ett"))
    logged_in.post(CREATE, good_data(token="två"))
    assert Report.objects.count() == 2
    assert SubmissionToken.objects.count() == 2


def test_token_race_is_caught_by_the_unique_constraint(reporter, area):
    """Two posts that both passed the first check: the second insert of the token fails, not a 2nd report."""
    from samtrygg.reports.views_report import DuplicateSubmission, save_new_report

    def valid_form():
        form = ReportForm(good_data(token="race"))
        assert form.is_valid(), form.errors
        return form

    report = save_new_report(reporter, valid_form(), [])
    with pytest.raises(DuplicateSubmission) as caught:
        save_new_report(reporter, valid_form(), [])
    assert caught.value.report == report
    assert Report.objects.count() == 1


def test_get_gives_a_fresh_token_each_time(logged_in):
    t1 = logged_in.get(CREATE).context["form"].initial["token"]
    t2 = logged_in.get(CREATE).context["form"].initial["token"]
    assert t1 and t2 and t1 != t2


# ---- permissions -----------------------------------------------------------------------------------

def test_viewer_gets_403(client, user_factory, area):
    client.force_login(user_factory("viewer", username="lasare"))
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, good_data()).status_code == 403
    assert Report.objects.count() == 0


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(CREATE)
    assert response.status_code == 302 and "/login/" in response["Location"]


# ---- saved page and nearby -------------------------------------------------------------------------

def test_saved_lists_nearby_visible_reports_with_distance(logged_in, reporter, user_factory, police_org):
    now = timezone.now()
    near = make_report(reporter, x=CENTRE_X + 100, y=CENTRE_Y, when=now - timedelta(days=3))
    make_report(reporter, x=CENTRE_X + 400, y=CENTRE_Y, when=now - timedelta(days=3))  # too far
    make_report(reporter, x=CENTRE_X + 50, y=CENTRE_Y, when=now - timedelta(days=40))  # too old
    sensitive = Category.objects.create(code="polisobs", name="Polisens iakttagelse", sensitivity="sensitive")
    policeman = user_factory("reporter", organization=police_org, username="polis")
    make_report(policeman, category_code=sensitive.code, x=CENTRE_X + 20, y=CENTRE_Y)  # not visible
    logged_in.post(CREATE, good_data())
    report = Report.objects.latest("pk")
    response = logged_in.get(reverse("reports:saved", args=[report.pk]))
    assert response.status_code == 200
    nearby = response.context["nearby"]
    assert [n.report for n in nearby] == [near]
    assert 95 <= nearby[0].distance_m <= 105
    html = response.content.decode()
    assert reverse("reports:detail", args=[near.pk]) in html
    assert reverse("reports:create") in html
    assert 'id="nearby-points"' in html


def test_nearby_excludes_reports_the_user_may_not_see(reporter, user_factory, police_org, area):
    sensitive = Category.objects.create(code="polisobs", name="Polisens iakttagelse", sensitivity="sensitive")
    policeman = user_factory("reporter", organization=police_org, username="polis")
    hidden = make_report(policeman, category_code=sensitive.code, x=CENTRE_X + 10, y=CENTRE_Y)
    visible = make_report(policeman, x=CENTRE_X + 20, y=CENTRE_Y)
    mine = make_report(reporter)
    found = [n.report for n in nearby_reports(reporter, mine)]
    assert visible in found and hidden not in found and mine not in found


def test_saved_for_invisible_report_is_404(logged_in, user_factory, police_org):
    sensitive = Category.objects.create(code="polisobs", name="Polisens iakttagelse", sensitivity="sensitive")
    other = make_report(user_factory("reporter", organization=police_org, username="polis"),
                        category_code=sensitive.code)
    assert logged_in.get(reverse("reports:saved", args=[other.pk])).status_code == 404


# ---- edit ------------------------------------------------------------------------------------------

def test_edit_shows_the_report_and_saves_changes_with_audit(logged_in, reporter):
    report = make_report(reporter, description="Gammal text")
    url = reverse("reports:edit", args=[report.pk])
    response = logged_in.get(url)
    assert response.status_code == 200
    assert "Gammal text" in response.content.decode()
    data = good_data(lat=report.lat, lon=report.lon, occurred_at=local(report.occurred_at), quantity=7,
                     description="Ny text", token=None)
    response = logged_in.post(url, data)
    assert response.status_code == 302 and response["Location"] == reverse("reports:detail", args=[report.pk])
    report.refresh_from_db()
    assert report.quantity == 7 and report.description == "Ny text"
    entry = AuditEntry.objects.filter(action="update", object_id=str(report.pk)).latest("pk")
    assert entry.changes["quantity"] == [1, 7]


def test_edit_moving_the_report_reassigns_areas(logged_in, reporter, area):
    other = AreaFactory(code="norr", name="Norr", geometry=square(CENTRE_X, CENTRE_Y + 3000, 1000))
    report = make_report(reporter)
    lon, lat = geo.sweref_to_wgs84(CENTRE_X, CENTRE_Y + 3000)
    data = good_data(lat=float(lat), lon=float(lon), occurred_at=local(report.occurred_at), token=None)
    assert logged_in.post(reverse("reports:edit", args=[report.pk]), data).status_code == 302
    assert list(Report.objects.get(pk=report.pk).areas.all()) == [other]


def test_edit_bad_input_changes_nothing(logged_in, reporter):
    report = make_report(reporter, quantity=2)
    data = good_data(lat=report.lat, lon=report.lon, quantity=0, token=None)
    response = logged_in.post(reverse("reports:edit", args=[report.pk]), data)
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.quantity == 2


def test_edit_keeps_already_confirmed_personal_data_without_asking_again(logged_in, reporter):
    report = make_report(reporter, description="Bil ABC 123")
    data = good_data(lat=report.lat, lon=report.lon, description="Bil ABC 123", quantity=5, token=None)
    assert logged_in.post(reverse("reports:edit", args=[report.pk]), data).status_code == 302
    data["description"] = "Bil ABC 123, ägare 070-123 45 67"
    assert logged_in.post(reverse("reports:edit", args=[report.pk]), data).status_code == 200


def test_edit_keeps_a_category_deactivated_since(logged_in, reporter):
    report = make_report(reporter, category_code="brand")
    Category.objects.filter(code="brand").update(is_active=False)
    data = good_data(lat=report.lat, lon=report.lon, category=report.category_id, token=None)
    assert logged_in.post(reverse("reports:edit", args=[report.pk]), data).status_code == 302


def test_edit_adds_and_removes_photos(logged_in, reporter):
    report = make_report(reporter)
    services_photo = ReportPhoto(report=report, uploaded_by=reporter)
    services_photo.image.save("old.png", upload("old.png"))
    data = {**good_data(lat=report.lat, lon=report.lon, token=None), "photos": [upload("new.png")],
            "remove_photo": [str(services_photo.pk)]}
    assert logged_in.post(reverse("reports:edit", args=[report.pk]), data).status_code == 302
    names = [p.image.name for p in report.photos.all()]
    assert len(names) == 1 and "old" not in names[0]


def test_edit_permissions(client, reporter, user_factory, police_org, area):
    own = make_report(reporter)
    colleague = user_factory("reporter", username="kollega")
    url = reverse("reports:edit", args=[own.pk])
    client.force_login(colleague)
    assert client.get(url).status_code == 403  # visible, not theirs
    client.force_login(user_factory("coordinator", username="samordnare"))
    assert client.get(url).status_code == 200
    sensitive = Category.objects.create(code="polisobs", name="Polisens iakttagelse", sensitivity="sensitive")
    hidden = make_report(user_factory("reporter", organization=police_org, username="polis"),
                         category_code=sensitive.code)
    client.force_login(reporter)
    assert client.get(reverse("reports:edit", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("reports:edit", args=[999999])).status_code == 404


def test_edit_of_a_deleted_report_is_404_for_its_reporter(logged_in, reporter):
    report = make_report(reporter)
    services.delete_report(reporter, report)
    assert logged_in.get(reverse("reports:edit", args=[report.pk])).status_code == 404


# ---- photos ----------------------------------------------------------------------------------------

def test_photo_is_served_only_to_those_who_see_the_report(client, reporter, user_factory, police_org, area):
    sensitive = Category.objects.create(code="polisobs", name="Polisens iakttagelse", sensitivity="sensitive")
    policeman = user_factory("reporter", organization=police_org, username="polis")
    report = make_report(policeman, category_code=sensitive.code)
    photo = ReportPhoto(report=report, uploaded_by=policeman)
    photo.image.save("p.png", upload("p.png"))
    url = reverse("reports:photo", args=[report.pk, photo.pk])
    client.force_login(policeman)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png_bytes()
    client.force_login(reporter)  # another organisation: may not see the sensitive report
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    other = make_report(policeman)
    client.force_login(policeman)
    assert client.get(reverse("reports:photo", args=[other.pk, photo.pk])).status_code == 404


@pytest.mark.django_db
def test_each_form_reads_the_categories_and_places_active_now(area):
    """The form's choices start from querysets built once: every form must still see today's active rows."""
    park = PlaceFactory(code="parken", geometry=square(CENTRE_X, CENTRE_Y, 100))
    data = good_data(place=park.pk)
    assert ReportForm(data, {}).is_valid()
    Category.objects.filter(code="klotter").update(is_active=False)
    form = ReportForm(data, {})
    assert not form.is_valid() and "category" in form.errors
    Category.objects.filter(code="klotter").update(is_active=True)
    park.is_active = False
    park.save()
    form = ReportForm(data, {})
    assert not form.is_valid() and "place" in form.errors
    assert ReportForm(good_data(), {}).is_valid()
