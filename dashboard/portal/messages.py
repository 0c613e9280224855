"""The portal's user-facing text in English and Spanish, and choosing the language.

The language comes from ``?lang=`` (the switcher links set it and forms carry
it), else from the browser's Accept-Language, else English.
"""

from __future__ import annotations

from flask import request

from cases.languages import PORTAL_LANGUAGES

LANGUAGES = PORTAL_LANGUAGES

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "site_title": "311 City Services",
        "skip": "Skip to content",
        "language_name": "English",
        "nav_request": "Make a request",
        "nav_status": "Check a request",
        "emergency": (
            "311 is not for emergencies. If someone is in danger or a crime is "
            "happening, call 911."
        ),
        "request_title": "Make a service request",
        "choose_type": "What do you want to report?",
        "choose_placeholder": "Choose one",
        "continue": "Continue",
        "change_type": "Choose a different kind of request",
        "description": "Describe the problem",
        "description_hint": "Say what is wrong and where exactly.",
        "description_public": "The city may show my description publicly",
        "location": "Location",
        "address": "Street address",
        "address_hint": "For example: 800 N French St",
        "latitude": "Latitude (optional)",
        "longitude": "Longitude (optional)",
        "contact": "Contact details (optional, never shown publicly)",
        "name": "Your name",
        "email": "E-mail",
        "phone": "Phone",
        "submit": "Send request",
        "required": "required",
        "form_has_errors": (
            "The request was not sent. Please correct the fields marked below."
        ),
        "done_title": "Request received",
        "done_text": "Thank you. Your case number is",
        "done_keep": "Keep this number to check the status of your request.",
        "done_check": "Check the status now",
        "status_title": "Check a request",
        "case_number": "Case number",
        "case_number_hint": "For example: 26-004213-7",
        "look_up": "Look up",
        "invalid_number": (
            "This is not a valid case number. Please check the digits; "
            "case numbers look like 26-004213-7."
        ),
        "not_found": "No request has this number. Please check the number.",
        "status": "Status",
        "service_type": "Type",
        "department": "Department",
        "created": "Received",
        "due": "Expected by",
        "late": "later than expected; the department still has it open",
        "closed": "Closed",
        "outcome": "Outcome",
        "notes": "Updates",
        "no_notes": "No updates yet.",
        "outcome_resolved": "Resolved",
        "outcome_no_action_needed": "No action needed",
        "outcome_duplicate": "Duplicate of an earlier request",
        "outcome_referred_elsewhere": "Referred to another agency",
        "outcome_unable_to_locate": "Unable to locate",
        "outcome_withdrawn": "Withdrawn",
        "outcome_administrative": "Closed administratively",
        "error_description": "Please describe the problem.",
        "error_description_long": "Please shorten the description to at most "
        "4,000 characters.",
        "error_location": "Please give the address or the coordinates of the problem.",
        "error_latitude": "Latitude must be a number between -90 and 90.",
        "error_longitude": "Longitude must be a number between -180 and 180.",
        "error_email": "Please enter an e-mail address like name@example.org.",
        "error_phone": (
            "Please enter a phone number with at least 7 digits, using digits, "
            "spaces and dashes."
        ),
        "error_name": "Please check your name.",
        "error_too_long": "Please shorten this to at most {limit} characters.",
        "error_control_characters": (
            "This contains characters that cannot be used, such as control "
            "characters. Please remove them."
        ),
        "error_outside_city": (
            "This location is outside the city. Please check the address or the "
            "coordinates."
        ),
        "error_attribute": "Please answer this question with one of the choices.",
        "error_number": "Please enter a number.",
        "select_placeholder": "Choose one",
    },
    "es": {
        "site_title": "Servicios Municipales 311",
        "skip": "Saltar al contenido",
        "language_name": "Español",
        "nav_request": "Hacer una solicitud",
        "nav_status": "Consultar una solicitud",
        "emergency": (
            "El 311 no es para emergencias. Si alguien está en peligro o se está "
            "cometiendo un delito, llame al 911."
        ),
        "request_title": "Hacer una solicitud de servicio",
        "choose_type": "¿Qué desea reportar?",
        "choose_placeholder": "Elija una opción",
        "continue": "Continuar",
        "change_type": "Elegir otro tipo de solicitud",
        "description": "Describa el problema",
        "description_hint": "Diga qué pasa y dónde exactamente.",
        "description_public": "La ciudad puede mostrar mi descripción públicamente",
        "location": "Ubicación",
        "address": "Dirección",
        "address_hint": "Por ejemplo: 800 N French St",
        "latitude": "Latitud (opcional)",
        "longitude": "Longitud (opcional)",
        "contact": "Datos de contacto (opcionales, nunca se publican)",
        "name": "Su nombre",
        "email": "Correo electrónico",
        "phone": "Teléfono",
        "submit": "Enviar solicitud",
        "required": "obligatorio",
        "form_has_errors": (
            "La solicitud no se envió. Corrija los campos marcados abajo."
        ),
        "done_title": "Solicitud recibida",
        "done_text": "Gracias. Su número de caso es",
        "done_keep": "Guarde este número para consultar el estado de su solicitud.",
        "done_check": "Consultar el estado ahora",
        "status_title": "Consultar una solicitud",
        "case_number": "Número de caso",
        "case_number_hint": "Por ejemplo: 26-004213-7",
        "look_up": "Buscar",
        "invalid_number": (
            "Este número de caso no es válido. Revise los dígitos; los números "
            "de caso tienen la forma 26-004213-7."
        ),
        "not_found": "Ninguna solicitud tiene este número. Revise el número.",
        "status": "Estado",
        "service_type": "Tipo",
        "department": "Departamento",
        "created": "Recibida",
        "due": "Fecha prevista",
        "late": "con retraso; el departamento sigue trabajando en ella",
        "closed": "Cerrada",
        "outcome": "Resultado",
        "notes": "Novedades",
        "no_notes": "Todavía no hay novedades.",
        "outcome_resolved": "Resuelta",
        "outcome_no_action_needed": "No se requiere acción",
        "outcome_duplicate": "Duplicada de una solicitud anterior",
        "outcome_referred_elsewhere": "Remitida a otra agencia",
        "outcome_unable_to_locate": "No se pudo localizar",
        "outcome_withdrawn": "Retirada",
        "outcome_administrative": "Cerrada por motivos administrativos",
        "error_description": "Describa el problema, por favor.",
        "error_description_long": "Acorte la descripción a 4.000 caracteres como "
        "máximo, por favor.",
        "error_location": "Indique la dirección o las coordenadas del problema.",
        "error_latitude": "La latitud debe ser un número entre -90 y 90.",
        "error_longitude": "La longitud debe ser un número entre -180 y 180.",
        "error_email": "Escriba un correo electrónico como nombre@ejemplo.org.",
        "error_phone": (
            "Escriba un teléfono de al menos 7 dígitos, con dígitos, espacios y "
            "guiones."
        ),
        "error_name": "Revise su nombre, por favor.",
        "error_too_long": "Acorte este texto a {limit} caracteres como máximo, "
        "por favor.",
        "error_control_characters": (
            "Contiene caracteres que no se pueden usar, como caracteres de "
            "control. Elimínelos, por favor."
        ),
        "error_outside_city": (
            "Esta ubicación está fuera de la ciudad. Revise la dirección o las "
            "coordenadas."
        ),
        "error_attribute": "Responda esta pregunta con una de las opciones.",
        "error_number": "Escriba un número.",
        "select_placeholder": "Elija una opción",
    },
}


def choose_language() -> str:
    """Return the page language: ``?lang=``, else Accept-Language, else English."""
    requested = (request.values.get("lang") or "").strip().lower()
    if requested in LANGUAGES:
        return requested
    return request.accept_languages.best_match(LANGUAGES, default="en") or "en"


def catalogue(lang: str) -> dict[str, str]:
    return MESSAGES[lang]
