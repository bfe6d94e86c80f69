"""A Rasa graph component whose trained part is a scikit-learn pipeline, stored in the
model with skops (no pickle): loading refuses any type beyond skops' defaults and a CSR
matrix, so a tampered model cannot run code. The lexical vote (nlu_vote.py) and the
language identifier (nlu_language.py) are two of them; each says what it trains on and
what it does with the pipeline's probabilities."""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from typing_extensions import Self

log = logging.getLogger(__name__)

# What a stored pipeline may contain beyond skops' defaults: nothing that runs code.
TRUSTED = {"scipy.sparse._csr.csr_matrix"}


class StoredPipeline(GraphComponent):
    FILE: ClassVar[str]  # the pipeline's file in the component's model resource
    WITHOUT: ClassVar[str]  # what happens when no pipeline is there, for the log

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        pipeline: Any = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self.pipeline = pipeline

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Self:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> Self:
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as directory:
                path = directory / cls.FILE
                untrusted = set(sio.get_untrusted_types(file=path))
                if not untrusted <= TRUSTED:
                    raise ValueError(f"unexpected types in {path.name}: {untrusted - TRUSTED}")
                pipeline = sio.load(path, trusted=sorted(untrusted))
        except (ValueError, FileNotFoundError) as exc:
            log.warning("%s not loaded (%s); %s", cls.__name__, exc, cls.WITHOUT)
            pipeline = None
        return cls(config, model_storage, resource, pipeline)

    def store(self, pipeline: Any) -> Resource:
        """Keep the trained ``pipeline`` and write it into the model."""
        import skops.io as sio

        self.pipeline = pipeline
        _drop_pruned_terms(pipeline)
        with self._storage.write_to(self._resource) as directory:
            sio.dump(pipeline, directory / self.FILE)
        return self._resource


def _drop_pruned_terms(pipeline: Any) -> None:
    """A fitted vectorizer keeps every n-gram ``min_df`` pruned in ``stop_words_``, for
    introspection only (scikit-learn's docs: safe to delete before storing). In the
    lexical vote they were 30,000 n-grams: a quarter of the model file, loaded for
    nothing."""
    for part in (pipeline, *pipeline.get_params(deep=True).values()):
        if hasattr(part, "stop_words_"):
            del part.stop_words_
