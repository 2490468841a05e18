"""msa_demo: explain why a multimodal model calls a post, a face and a voice positive, neutral or negative."""

from msa_demo.config import SENTIMENTS
from msa_demo.errors import InputError, ModelLoadError, MsaError

__all__ = ["SENTIMENTS", "InputError", "ModelLoadError", "MsaError"]
__version__ = "0.1.0"
