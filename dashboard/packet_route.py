"""The meeting packet as a download: ``/packet.pdf`` with the overview's filters."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import flask

from dashboard.runtime import runtime
from dashboard.scope import scope_to_login
from dashboard.urlstate import check_codes, parse_filters
from dashboard.view import read_dimensions, view_errors

log = logging.getLogger(__name__)


def register_packet_route(server: flask.Flask) -> None:
    @server.get("/packet.pdf", endpoint="city311_packet_pdf")
    def packet_pdf() -> flask.Response:
        from dashboard.packet import PacketError, write_packet

        rt = runtime(server)
        args = {key: flask.request.args.getlist(key) for key in flask.request.args}
        try:
            filters = parse_filters(args, rt.today(), ("basis",))
            check_codes(filters, read_dimensions())
            filters = scope_to_login(filters)
        except view_errors() as error:
            log.info("meeting packet rejected: %s", error)
            return flask.Response(f"{error}\n", status=400, mimetype="text/plain")
        with tempfile.TemporaryDirectory(prefix="city311-packet-") as folder:
            path = Path(folder) / "packet.pdf"
            try:
                write_packet(rt.context, filters, path, reader=rt.reader, now=rt.now())
            except PacketError as error:
                log.error("meeting packet failed: %s", error)
                return flask.Response(f"{error}\n", status=500, mimetype="text/plain")
            data = path.read_bytes()
        name = f"citistat-{filters.start}-{filters.end}.pdf"
        return flask.Response(
            data,
            mimetype="application/pdf",
            headers={"Content-Disposition": f"attachment; filename={name}"},
        )
