"""The public portal over real HTTP: request form, confirmation and status lookup."""

from __future__ import annotations

import re

import pytest
import requests

from cases.intake import NewCase
from cases.roles import Actor
from tests.live_server import csrf_from

STAFF = Actor("pat", "staff", "PW")


def page(live, path: str, **headers) -> requests.Response:
    return requests.get(live.url + path, headers=headers, timeout=30)


def submit(live, fields: dict, lang: str = "en") -> requests.Response:
    browser = requests.Session()
    form = browser.get(
        f"{live.url}/request?type={fields['type']}&lang={lang}", timeout=30
    )
    data = {"csrf_token": csrf_from(form.text), "lang": lang, **fields}
    return browser.post(
        live.url + "/request", data=data, allow_redirects=False, timeout=30
    )


def test_request_page_shows_emergency_notice(live):
    text = page(live, "/request").text
    assert '<html lang="en">' in text
    assert "call 911" in text
    assert '<option value="POTHOLE">Pothole</option>' in text


def test_type_chooser_starts_on_a_prompt(live):
    """No type is chosen for the resident: Continue needs a choice first."""
    text = page(live, "/request").text
    options = text.split('<select id="type" name="type" required>')[1]
    assert options.lstrip().startswith(
        '<option value="" selected disabled>Choose one</option>'
    )
    spanish = page(live, "/request?lang=es").text
    assert '<option value="" selected disabled>Elija una opción</option>' in spanish


def test_request_page_in_spanish(live):
    text = page(live, "/request?lang=es").text
    assert '<html lang="es">' in text
    assert "llame al 911" in text


def test_accept_language_chooses_spanish(live):
    text = page(live, "/request", **{"Accept-Language": "es-US,es;q=0.9"}).text
    assert '<html lang="es">' in text


def test_form_fields_from_attributes(live):
    text = page(live, "/request?type=POTHOLE").text
    assert '<select id="attribute-size" name="attribute-size" required' in text
    assert 'type="checkbox" id="attribute-hazards-water"' in text
    assert 'type="number" step="any" id="attribute-depth_cm"' in text
    assert 'type="datetime-local" id="attribute-noticed_at"' in text
    assert 'type="text" id="attribute-landmark"' in text
    assert '<label for="description">' in text


def test_submit_files_case(live):
    response = submit(
        live,
        {
            "type": "POTHOLE",
            "description": "Hole in the bike lane",
            "address": "10 Market St",
            "attribute-size": "large",
            "attribute-hazards": ["water", "traffic"],
            "attribute-depth_cm": "12",
            "name": "Ada",
            "phone": "302-555-0101",
        },
    )
    assert response.status_code == 302
    number = re.search(r"number=([0-9-]+)", response.headers["Location"]).group(1)
    detail = live.cases.show(number)
    assert detail.channel == "web"
    assert detail.attributes == {
        "size": "large",
        "hazards": ["water", "traffic"],
        "depth_cm": "12",
    }
    assert detail.requester_phone == "302-555-0101"
    assert detail.events[0].actor == "public"
    done = page(live, response.headers["Location"])
    assert number in done.text


def test_submit_missing_description_marks_field(live):
    response = submit(live, {"type": "INFO", "description": "  "})
    assert response.status_code == 400
    assert 'aria-describedby="description-hint description-error"' in response.text
    assert 'id="description-error">Please describe the problem.' in response.text


def test_submit_errors_in_spanish(live):
    response = submit(live, {"type": "POTHOLE", "description": "Hoyo"}, lang="es")
    assert response.status_code == 400
    assert "Indique la dirección" in response.text
    assert 'aria-describedby="address-hint location-error"' in response.text


def test_submit_bad_attribute_marks_attribute(live):
    response = submit(
        live,
        {"type": "POTHOLE", "description": "x", "address": "1 Main St"},
    )
    assert response.status_code == 400
    assert 'id="attribute-size-error"' in response.text


def test_submit_bad_number_marks_field(live):
    response = submit(live, {"type": "INFO", "description": "x", "latitude": "north"})
    assert response.status_code == 400
    assert 'id="latitude-error"' in response.text


def error_text(html: str, form_field: str) -> str | None:
    """Return the error message shown under ``form_field``, if any."""
    match = re.search(rf'<p class="error" id="{form_field}-error">([^<]*)</p>', html)
    return match.group(1) if match else None


POTHOLE_FORM = {
    "type": "POTHOLE",
    "description": "Hole",
    "address": "1 Main St",
    "attribute-size": "small",
}


@pytest.mark.parametrize(
    ("changes", "lang", "form_field", "message"),
    [
        (
            {"address": "a" * 400},
            "en",
            "location",
            "Please shorten this to at most 300 characters.",
        ),
        (
            {"address": "a" * 400},
            "es",
            "location",
            "Acorte este texto a 300 caracteres como máximo, por favor.",
        ),
        (
            {"name": "n" * 201},
            "en",
            "name",
            "Please shorten this to at most 200 characters.",
        ),
        (
            {"name": "n" * 201},
            "es",
            "name",
            "Acorte este texto a 200 caracteres como máximo, por favor.",
        ),
        (
            {"address": "", "latitude": "0", "longitude": "0"},
            "en",
            "location",
            "This location is outside the city. Please check the address or the "
            "coordinates.",
        ),
        (
            {"address": "", "latitude": "0", "longitude": "0"},
            "es",
            "location",
            "Esta ubicación está fuera de la ciudad. Revise la dirección o las "
            "coordenadas.",
        ),
        (
            {"description": "Hole\x01here"},
            "en",
            "description",
            "This contains characters that cannot be used, such as control "
            "characters. Please remove them.",
        ),
        (
            {"attribute-landmark": "by the\x1bschool"},
            "es",
            "attribute-landmark",
            "Contiene caracteres que no se pueden usar, como caracteres de "
            "control. Elimínelos, por favor.",
        ),
        (
            {"attribute-landmark": "s" * 301},
            "en",
            "attribute-landmark",
            "Please shorten this to at most 300 characters.",
        ),
        (
            {"phone": "-------"},
            "en",
            "phone",
            "Please enter a phone number with at least 7 digits, using digits, "
            "spaces and dashes.",
        ),
    ],
)
def test_submit_error_names_field_and_reason(live, changes, lang, form_field, message):
    response = submit(live, {**POTHOLE_FORM, **changes}, lang=lang)
    assert response.status_code == 400
    assert error_text(response.text, form_field) == message
    others = set(re.findall(r'id="([\w-]+)-error"', response.text)) - {form_field}
    assert others == set()


def test_submit_name_error_is_described(live):
    response = submit(live, {**POTHOLE_FORM, "name": "n" * 201})
    assert 'id="name" name="name"' in response.text
    assert 'aria-describedby="name-error" aria-invalid="true"' in response.text


def test_submit_without_csrf_rejected(live):
    response = requests.post(
        live.url + "/request",
        data={"type": "INFO", "description": "x"},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 400


def test_status_shows_public_notes_only(live):
    detail = live.cases.file(
        NewCase("POTHOLE", "Hole", address="1 Main St", attributes={"size": "small"})
    )
    live.cases.add_note(detail.case_number, "Crew scheduled", public=True, actor=STAFF)
    live.cases.add_note(detail.case_number, "Caller was rude", actor=STAFF)
    response = page(live, f"/status?number={detail.case_number}")
    assert response.status_code == 200
    assert "Crew scheduled" in response.text
    assert "Caller was rude" not in response.text
    assert 'id="case-status">Received' in response.text


def test_status_accepts_number_without_dashes(live):
    detail = live.cases.file(NewCase("INFO", "Question"))
    compact = detail.case_number.replace("-", "")
    assert page(live, f"/status?number={compact}").status_code == 200


def test_status_wrong_check_digit_invalid(live):
    detail = live.cases.file(NewCase("INFO", "Question"))
    number = detail.case_number
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    response = page(live, f"/status?number={wrong}")
    assert response.status_code == 400
    assert "not a valid case number" in response.text
    assert 'aria-describedby="number-hint number-error"' in response.text


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "No request has"), ("es", "Ninguna")]
)
def test_status_unknown_number_not_found(live, lang, words):
    response = page(live, f"/status?number=26-999999-4&lang={lang}")
    assert response.status_code == 404
    assert words in response.text


def test_status_lookup_rate_limited(live):
    live.server.config["CITY311_PUBLIC_READ_LIMIT"] = "2 per minute"
    for _ in range(2):
        page(live, "/status?number=26-999999-4")
    assert page(live, "/status?number=26-999999-4").status_code == 429
    assert page(live, "/status").status_code == 200


def test_status_outcome_in_spanish(live):
    detail = live.cases.file(NewCase("INFO", "Question"))
    live.cases.close(detail.case_number, "resolved", actor=Actor("may", "mayor"))
    response = page(live, f"/status?number={detail.case_number}&lang=es")
    assert 'id="case-status">Cerrada' in response.text
    assert 'id="case-outcome">Resuelta' in response.text


def test_type_chooser_in_spanish(live):
    text = page(live, "/request?lang=es").text
    assert '<option value="POTHOLE">Bache</option>' in text
    assert '<option value="STREETLIGHT">Luz de la calle apagada</option>' in text
    assert '<option value="WATER_MAIN">Water main break</option>' in text


def test_type_chooser_sorted_by_spanish_name(live):
    text = page(live, "/request?lang=es").text
    codes = re.findall(r'<option value="([A-Z_]+)">', text)
    assert codes == ["POTHOLE", "INFO", "HOUSING", "STREETLIGHT", "WATER_MAIN"]


def test_form_in_spanish_translates_catalogue(live):
    text = page(live, "/request?type=POTHOLE&lang=es").text
    assert "<h1>Hacer una solicitud de servicio: Bache</h1>" in text
    assert "Un hoyo en la superficie de una calle de la ciudad." in text
    assert '<label for="attribute-size">¿Qué tamaño tiene? (obligatorio)' in text
    assert '<option value="small">Pequeño</option>' in text
    assert "Agua estancada</label>" in text


def test_form_in_spanish_falls_back_to_english(live):
    text = page(live, "/request?type=POTHOLE&lang=es").text
    assert '<option value="large">Large</option>' in text
    assert "Which hazards are nearby?" in text
    assert "Heavy traffic</label>" in text


def test_form_in_english_unchanged(live):
    text = page(live, "/request?type=POTHOLE&lang=en").text
    assert "<h1>Make a service request: Pothole</h1>" in text
    assert '<option value="small">Small</option>' in text
    assert "Bache" not in text


def test_rejected_form_stays_in_spanish(live):
    response = submit(live, {"type": "POTHOLE", "description": ""}, lang="es")
    assert response.status_code == 400
    assert '<option value="small">Pequeño</option>' in response.text


def test_status_page_in_spanish(live):
    detail = live.cases.file(
        NewCase("POTHOLE", "Hole", address="1 Main St", attributes={"size": "small"})
    )
    response = page(live, f"/status?number={detail.case_number}&lang=es")
    assert 'id="case-type">Bache</dd>' in response.text
    assert 'id="case-department">Obras Públicas</dd>' in response.text


def test_language_switcher_names_other_language(live):
    english = page(live, "/request?type=POTHOLE").text
    spanish = page(live, "/request?type=POTHOLE&lang=es").text
    assert 'hreflang="es" lang="es">Español</a>' in english
    assert 'hreflang="en" lang="en">English</a>' in spanish


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "later than expected"), ("es", "con retraso")],
)
def test_status_says_when_open_case_is_late(live, lang, words):
    from datetime import UTC, datetime, timedelta

    from cases.service import CaseService

    month_ago = datetime.now(UTC) - timedelta(days=30)
    past = CaseService(live.cases.sessions, live.cases.city, clock=lambda: month_ago)
    small = {"size": "small"}
    late = past.file(NewCase("POTHOLE", "Hole", address="1 Main St", attributes=small))
    response = page(live, f"/status?number={late.case_number}&lang={lang}")
    assert words in response.text
    fresh = live.cases.file(
        NewCase("POTHOLE", "Hole", address="2 Main St", attributes=small)
    )
    response = page(live, f"/status?number={fresh.case_number}&lang={lang}")
    assert words not in response.text
