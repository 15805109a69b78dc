"""Who made a change: a staff user, an API key, a command or the system itself."""

from dataclasses import dataclass
from typing import Any

from .models import HistorySource


@dataclass(frozen=True)
class Actor:
    name: str
    source: str
    user: Any = None
    api_key: Any = None

    @classmethod
    def for_user(cls, user) -> "Actor":
        return cls(name=user.get_username(), source=HistorySource.ADMIN, user=user)

    @classmethod
    def for_api_key(cls, api_key) -> "Actor":
        return cls(name=api_key.name, source=HistorySource.API, api_key=api_key)

    @classmethod
    def for_command(cls, command: str) -> "Actor":
        return cls(name=command, source=HistorySource.COMMAND)

    @classmethod
    def system(cls) -> "Actor":
        return cls(name="system", source=HistorySource.SYSTEM)
