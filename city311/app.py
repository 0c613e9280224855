"""The objects a command or web worker needs, built from settings on demand.

Nothing here runs at import time: ``AppContext`` opens the database and reads
the city configuration the first time they are asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from city311.settings import Settings, load_settings


@dataclass
class AppContext:
    settings: Settings = field(default_factory=load_settings)

    @cached_property
    def engine(self) -> Engine:
        from cases.db import make_engine

        return make_engine(self.settings.database_url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        from cases.db import make_session_factory

        return make_session_factory(self.engine)

    @cached_property
    def city(self):
        from cases.city import load_city

        return load_city(self.settings.city)

    @cached_property
    def cases(self):
        from cases.service import CaseService

        return CaseService(self.sessions, self.city)
