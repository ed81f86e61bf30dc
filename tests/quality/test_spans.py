import pytest

from assay.quality import MajorityVote, QualityInputError, SpanAggregator

TEXT = "Patients with type 2 diabetes aged over 60 were enrolled in the study ."


def test_token_majority_of_three_workers():
    documents = [
        {
            "w1": [(0, 29)],  # "Patients with type 2 diabetes"
            "w2": [(14, 29), (30, 42)],  # "type 2 diabetes", "aged over 60"
            "w3": [(14, 29)],
        }
    ]
    model = SpanAggregator(MajorityVote).fit(documents, [TEXT])
    assert model.spans_ == [[(14, 29)]]
    assert TEXT[14:29] == "type 2 diabetes"


def test_without_text_uses_span_boundaries():
    documents = [{"a": [[10, 20]], "b": [[10, 20]], "c": [[15, 30]]}, {"a": [], "b": [[0, 5]]}]
    model = SpanAggregator(MajorityVote).fit(documents)
    assert model.spans_[0] == [(10, 20)]
    assert model.spans_[1] == [] or model.spans_[1] == [(0, 5)]
    assert len(model.token_probas_) == 2


def test_dawid_skene_corrects_a_worker_who_marks_everything():
    good = {f"g{k}": [(14, 29)] for k in range(3)}
    documents = [dict(good, sloppy=[(0, len(TEXT))]) for _ in range(20)]
    model = SpanAggregator().fit(documents, [TEXT] * 20)
    assert all(spans == [(14, 29)] for spans in model.spans_)


def test_empty_input_is_a_clear_error():
    with pytest.raises(QualityInputError, match="empty"):
        SpanAggregator().fit([])
