"""Records: tables, repositories, unit of work and migrations."""

from bot.store.database import make_engine
from bot.store.migrate import upgrade
from bot.store.unit_of_work import UnitOfWork

__all__ = ["UnitOfWork", "make_engine", "upgrade"]
