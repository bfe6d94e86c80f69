"""Unit of work: one transaction around the repositories a use case needs."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.engine import Engine

from bot.store.repositories import DeviceRepository, OutboxRepository, ParticipationRepository


class UnitOfWork:
    """``with UnitOfWork(engine) as uow: ...; uow.commit()`` — rolls back unless committed."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __enter__(self) -> UnitOfWork:
        self.connection = self.engine.connect()
        self.transaction = self.connection.begin()
        self.devices = DeviceRepository(self.connection)
        self.participations = ParticipationRepository(self.connection)
        self.outbox = OutboxRepository(self.connection)
        return self

    def commit(self) -> None:
        self.transaction.commit()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.transaction.is_active:
            self.transaction.rollback()
        self.connection.close()
