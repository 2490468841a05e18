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


# a picture in which the face model finds no face, and nothing else given to read (``model.face_check``: the rule of
# every way in); the photo's variant: a picture given at least ``prediction.PHOTO_SIDE`` px long, where the face may
# be too small to find, is told to be cropped to the face (the advice had been to read the whole scene as one face)
NO_FACE_ONLY = "No face was found in the picture, so the face model abstains, and nothing else is given to read."
NO_FACE_IN_PHOTO = ("No face was found in the picture, so the face model abstains, and nothing else is given to read. "
                    "Crop the picture to the face, or {add} instead: a face under {px} px across in a {size} picture "
                    "is too small to find.")
ADD_INPUTS = "add text, audio or video"  # how a caller says "give something else to read", in NO_FACE_IN_PHOTO
# how code says "read it as a face all the same" (``predict(..., face_anyway=True)``, ``explain``'s)
READ_ANYWAY = "Add text, audio or video, or give face_anyway=True to read it as a face all the same."


class NoFace(NothingRead):
    """A picture in which the face model found no face, and nothing else given to read: no verdict. ``small``:
    ``{"px", "size"}`` for a photo whose face may be too small to find (``prediction.too_small``), else None;
    ``how``: how the picture was read (its reader's notices). ``said(anyway, add)``: the refusal in a caller's own
    words for "read it as a face all the same" (a flag, an argument, a box to tick) and "give something else";
    its message is code's (``face_anyway=True``)."""

    def __init__(self, small: dict[str, str] | None = None, how=()) -> None:
        self.small, self.how = small, [str(n) for n in how or ()]
        super().__init__(self.said())

    def __reduce__(self):  # (a dataset worker's error travels pickled)
        return NoFace, (self.small, self.how)

    def said(self, anyway: str = READ_ANYWAY, add: str = ADD_INPUTS) -> str:
        from msa_demo.i18n import with_reading

        refusal = NO_FACE_IN_PHOTO.format(**self.small, add=add) if self.small else f"{NO_FACE_ONLY} {anyway}".strip()
        return with_reading(refusal, self.how)


class SpanError(InputError):
    """A span of a clip or sound (a manifest row's start and end) that the file does not hold: the row's one line,
    where a file that cannot be read at all is left out of its row as ever."""


class ModelLoadError(MsaError, RuntimeError):
    """A model named by a preset cannot be loaded (no Hub access, nothing cached, bad files)."""
