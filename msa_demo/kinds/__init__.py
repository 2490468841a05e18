"""The built-in modality kinds, one module each (``text``, ``image``, ``audio``): each declares its ``KIND``
(a :class:`msa_demo.registry.ModalityKind`), naming the code that reads, serves, explains and shows
that modality. The registry loads them by the names in ``config.MODALITIES``."""
