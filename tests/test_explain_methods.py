"""The methods table: a method added by one entry of ``explain.methods.METHODS`` reaches every modality, and each
modality's layout gives it the planted cause (conftest's ``planted`` model, from tests/planted_models.py, whose answer
is known by construction: the word "great", the top-left image cell, the audio between 1.0 and 1.5 s)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from planted_models import CAUSE, planted_inputs, positive_share

SHAPLEY = "shapley_value_sampling"
AUDIO_CAUSE = [4, 5]  # 0.25 s segments: 1.0-1.5 s


def _check(m, cause, method):
    assert m.method == method
    assert int(np.argmax(m.scores)) in (cause if isinstance(cause, list) else [cause]), m.scores
    assert positive_share(m.scores, cause) >= 0.9, m.scores
    assert m.faithfulness.aopc > m.faithfulness.aopc_random
    assert m.delta is None and m.cost.forward_passes > 0


def test_shapley_sampling_finds_the_planted_word(planted):
    from msa_demo.explain import ExplainOptions, attribute_words

    m = attribute_words(planted, planted_inputs(), "positive", ExplainOptions(seed=0, sanity=True),
                        method=SHAPLEY)
    _check(m, m.labels.index(CAUSE), SHAPLEY)
    assert m.labels == "the movie was great and the food service today".split()
    assert m.params["n_samples"] == 8 and m.params["perturbations_per_eval"] > 0
    assert m.faithfulness.sanity_spearman < 0.5


def test_shapley_sampling_finds_the_planted_cell(planted):
    from msa_demo.explain import ExplainOptions, attribute_regions

    (m,) = attribute_regions(planted, planted_inputs(), "positive", ExplainOptions(seed=0, grid=7),
                             methods=[SHAPLEY])
    _check(m, 0, SHAPLEY)
    hm = np.asarray(m.heatmap)
    assert hm.shape == (56, 56) and hm[:8, :8].mean() > 10 * abs(hm[16:, 16:]).mean()


def test_shapley_sampling_finds_the_planted_window(planted):
    from msa_demo.explain import ExplainOptions, attribute_segments

    (m,) = attribute_segments(planted, planted_inputs(), "positive",
                              ExplainOptions(seed=0, segment_seconds=0.25, audio_methods=(SHAPLEY,)))
    _check(m, AUDIO_CAUSE, SHAPLEY)
    assert m.spans == [[i / 4, (i + 1) / 4] for i in range(8)]


def test_shapley_sampling_sums_to_the_output_difference(planted):
    """Shapley values are efficient: per sampled permutation the marginals telescope to f(x) - f(baseline)."""
    from msa_demo.explain import ExplainOptions, attribute_segments
    from msa_demo.explain.forward import FusedForward
    from msa_demo.explain.segments import audio_baseline

    inputs = planted_inputs()
    (m,) = attribute_segments(planted, inputs, "positive",
                              ExplainOptions(seed=0, segment_seconds=0.25, audio_methods=(SHAPLEY,)))
    ff = FusedForward(planted, inputs, "audio", ["text", "image", "audio"])
    fx, fb = ff.target_prob(torch.cat([ff.x, audio_baseline(ff.x, "silence", 0)]), 2).tolist()
    assert sum(m.scores) == pytest.approx(fx - fb, abs=1e-5)


def test_one_table_entry_reaches_every_modality(planted, monkeypatch):
    """A method the package does not list, added by one entry here, runs on words, regions and segments."""
    from msa_demo.explain import ExplainOptions, attribute_regions, attribute_segments, attribute_words
    from msa_demo.explain.methods import METHODS, Method

    monkeypatch.setitem(METHODS, "kernel_shap", Method("KernelShap", "perturbation", {"n_samples": 300}))
    opts = ExplainOptions(seed=0, segment_seconds=0.25, grid=2)
    words = attribute_words(planted, planted_inputs(), "positive", opts, method="kernel_shap")
    (cell,) = attribute_regions(planted, planted_inputs(), "positive", opts, methods=["kernel_shap"])
    (window,) = attribute_segments(planted, planted_inputs(), "positive", opts, methods=["kernel_shap"])
    for m, cause in ((words, words.labels.index(CAUSE)), (cell, 0), (window, AUDIO_CAUSE)):
        assert m.method == "kernel_shap" and m.params["n_samples"] == 300
        assert int(np.argmax(m.scores)) in (cause if isinstance(cause, list) else [cause]), m.scores
        assert m.faithfulness.aopc > m.faithfulness.aopc_random


def test_explain_runs_the_chosen_methods_of_every_modality(planted):
    from msa_demo.explain import ExplainOptions, explain

    opts = ExplainOptions(seed=0, text_methods=("integrated_gradients", SHAPLEY), image_methods=(SHAPLEY,),
                          audio_methods=(SHAPLEY,), segment_seconds=0.25)
    exp = explain(planted, planted_inputs(), target="positive", options=opts)
    assert [(m.modality, m.method) for m in exp.maps] == [
        ("text", "layer_integrated_gradients"), ("text", SHAPLEY), ("image", SHAPLEY), ("audio", SHAPLEY)]
    assert ExplainOptions().text_methods == ("integrated_gradients",)


def test_unknown_methods_get_one_clear_message(planted):
    from msa_demo.errors import InputError
    from msa_demo.explain import ExplainOptions, attribute_regions

    with pytest.raises(InputError, match="text methods must be chosen from"):
        ExplainOptions(text_methods=("saliency",))
    with pytest.raises(InputError, match="Unknown image method 'saliency'"):
        attribute_regions(planted, planted_inputs(), "positive", ExplainOptions(), methods=["saliency"])


def test_deletion_evaluates_each_distinct_set_of_removed_features_once():
    from msa_demo.explain.faithfulness import deletion

    weights = torch.tensor([3.0, 0.0, 1.0, 2.0, 0.5, 0.0])
    seen = []

    def evaluate(removed):  # a linear "model": the target probability falls by the weight of what is removed
        seen.append(removed.clone())
        return 0.9 - 0.1 * (removed.float() * weights).sum(1)

    f = deletion(weights.tolist(), evaluate, steps=3, seed=0, random_orders=4)
    rows = torch.cat(seen)
    assert len(seen) == 1 and len(rows) == len(torch.unique(rows, dim=0))
    assert len(rows) <= 5 * 4 - 8  # 5 curves of 4 points share their first and last rows
    # the curves are as if every row had been evaluated: removing in weight order drops fastest
    assert f.deletion_curve == pytest.approx([0.9, 0.9 - 0.1 * 5, 0.9 - 0.1 * 6.5, 0.9 - 0.1 * 6.5])
    assert f.random_curve[0] == pytest.approx(0.9) and f.random_curve[-1] == pytest.approx(0.9 - 0.65)
    assert f.aopc > f.aopc_random


def test_layer_ig_hooks_a_private_copy_never_the_shared_model(tiny_model):
    """Layer IG hooks the embedding layer while it runs; another thread's forward of the same model (a
    prediction, another panel) must not read that call's IG batch: the hook goes on a copy that shares the
    weights, and the shared model has no hook at any moment of the explanation."""
    from msa_demo.explain import ExplainOptions, attribute_words
    from msa_demo.explain.forward import FusedForward

    shared = tiny_model.modalities["text"].embedding_layer()
    seen, call = [], FusedForward.__call__

    def watching(self, x, *extra):
        seen.append((len(shared._forward_hooks), self.mod.embedding_layer() is shared))
        return call(self, x, *extra)

    FusedForward.__call__ = watching
    try:
        m = attribute_words(tiny_model, tiny_model.read_inputs(text="good movie but terrible food"), "positive",
                            ExplainOptions(seed=0))
    finally:
        FusedForward.__call__ = call
    assert m.method == "layer_integrated_gradients" and m.cost.forward_passes > 0
    assert seen and all(hooks == 0 for hooks, _ in seen)  # the shared layer was never hooked
    assert any(not own for _, own in seen)  # IG ran on the copy
    copy_params = {id(p) for p in tiny_model.modalities["text"].model.parameters()}
    assert copy_params  # and the copy shares the weights (no second copy in memory)
    from msa_demo.explain.forward import sharing_copy

    clone = sharing_copy(tiny_model.modalities["text"])
    assert clone.model is not tiny_model.modalities["text"].model
    assert {id(p) for p in clone.model.parameters()} == copy_params


def test_a_sharing_copy_is_new_modules_on_the_same_weights_with_hooks_of_its_own():
    import torch

    from msa_demo.explain.forward import _module_copy

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.utils.parametrizations.weight_norm(torch.nn.Conv1d(4, 4, 3)),
                              torch.nn.BatchNorm1d(4), torch.nn.ReLU())  # weight norm: a module that refuses pickling
    clone = _module_copy(net)
    x = torch.randn(2, 4, 10)
    net.eval()
    assert clone[1].training  # its own flags: eval() on the original left the copy as it was made
    clone.eval()
    assert torch.equal(net(x), clone(x))
    assert all(a is not b for a, b in zip(net.modules(), clone.modules()))
    assert [id(p) for p in net.parameters()] == [id(p) for p in clone.parameters()]
    assert [id(b) for b in net.buffers()] == [id(b) for b in clone.buffers()]
    clone[0].register_forward_hook(lambda _m, _i, out: out * 0)
    assert len(net[0]._forward_hooks) == 0 and torch.count_nonzero(clone[0](x)) == 0
    assert torch.count_nonzero(net[0](x)) > 0  # the original never sees the copy's hook
