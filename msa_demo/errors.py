"""The project's error types. Every message is written for a person, not a programmer."""


class MsaError(Exception):
    """Base error: its message is shown to the user as it is."""


class InputError(MsaError, ValueError):
    """An input (text, image, audio, option) cannot be used; the message says why and what to do. ``modality``:
    the input's, where a modality's reader refused it (``model.read_inputs``); None elsewhere."""

    modality: str | None = None


class NothingRead(InputError):
    """Every input given and switched on was read, and none holds anything to judge (a picture without a face
    alone, a clip in which no one speaks alone): there is no verdict. The command line exits 3 on it, not 2, so a
    script can tell "nothing to judge" from a mistake in its command."""


class SpanError(InputError):
    """A span of a clip or sound (a manifest row's start and end) that the file does not hold: the row's one line,
    where a file that cannot be read at all is left out of its row as ever."""


class ModelLoadError(MsaError, RuntimeError):
    """A model named by a preset cannot be loaded (no Hub access, nothing cached, bad files)."""
