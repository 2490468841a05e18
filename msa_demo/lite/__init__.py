"""Lightweight, fully offline modality helpers (no Hugging Face Hub needed)."""
