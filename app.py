"""msa_demo dashboard (placeholder until the dashboard lands): a minimal Gradio predictor."""

from __future__ import annotations

import os

from msa_demo.errors import MsaError


def main() -> None:
    from msa_demo.model import MultimodalSentimentModel

    preset = os.environ.get("MSA_PRESET", "hub")
    try:
        model = MultimodalSentimentModel.from_preset(preset)
    except MsaError as exc:
        raise SystemExit(f"msa_demo cannot start: {exc}") from None
    import gradio as gr

    def predict(text, image, audio):
        try:
            pred = model.predict(text=text, image=image, audio=audio)
        except MsaError as exc:
            raise gr.Error(str(exc)) from None
        return {k: v for k, v in pred.probs.items()}

    demo = gr.Interface(predict, [gr.Textbox(), gr.Image(type="pil"), gr.Audio(type="filepath")], gr.Label())
    demo.launch()


if __name__ == "__main__":
    main()
