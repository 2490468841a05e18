"""msa_demo: explain why a multimodal model calls a post, a face and a voice positive, neutral or negative."""

from msa_demo.errors import InputError, ModelLoadError, MsaError

SENTIMENTS = ("negative", "neutral", "positive")

__all__ = ["SENTIMENTS", "InputError", "ModelLoadError", "MsaError"]
__version__ = "0.1.0"
