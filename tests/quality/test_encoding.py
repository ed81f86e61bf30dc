import numpy as np
import pandas as pd
import pytest

from assay.quality import QualityInputError, check_codes, encode_labels


def test_frame_is_coded_once_and_keeps_original_ids():
    frame = pd.DataFrame(
        {"task": ["t2", "t1", "t2"], "worker": ["w", "w", "v"], "label": ["b", "a", "b"]}
    )
    encoded = encode_labels(frame)
    assert list(encoded.tasks) == ["t2", "t1"]
    assert list(encoded.workers) == ["w", "v"]
    assert list(encoded.classes) == ["a", "b"]
    assert encoded.codes.task_idx.tolist() == [0, 1, 0]
    assert encoded.codes.label_idx.tolist() == [1, 0, 1]


def test_repeated_task_worker_rows_keep_the_last():
    frame = pd.DataFrame(
        {"task": ["t", "t", "t"], "worker": ["w", "w", "v"], "label": ["a", "b", "a"]}
    )
    encoded = encode_labels(frame)
    assert encoded.n_duplicates == 1
    assert encoded.codes.n_rows == 2
    assert sorted(encoded.classes[encoded.codes.label_idx].tolist()) == ["a", "b"]


def test_given_classes_include_one_nobody_used():
    frame = pd.DataFrame({"task": ["t"], "worker": ["w"], "label": ["yes"]})
    encoded = encode_labels(frame, classes=["no", "yes", "maybe"])
    assert encoded.codes.n_classes == 3
    assert encoded.codes.label_idx.tolist() == [1]


def test_label_outside_given_classes_is_an_error():
    frame = pd.DataFrame({"task": ["t"], "worker": ["w"], "label": ["perhaps"]})
    with pytest.raises(QualityInputError, match="not in the given classes"):
        encode_labels(frame, classes=["no", "yes"])


@pytest.mark.parametrize(
    "frame, message",
    [
        (pd.DataFrame({"task": [], "worker": [], "label": []}), "empty"),
        (pd.DataFrame({"task": ["t"], "label": ["a"]}), "missing column"),
        (pd.DataFrame({"task": ["t"], "worker": [None], "label": ["a"]}), "must not be missing"),
    ],
)
def test_bad_frames_raise_clear_errors(frame, message):
    with pytest.raises(QualityInputError, match=message):
        encode_labels(frame)


@pytest.mark.parametrize(
    "args, message",
    [
        (([], [], []), "empty"),
        (([0, 1], [0], [0, 1]), "same length"),
        (([0, -1], [0, 0], [0, 1]), "negative"),
        (([0.5], [0], [0]), "integer"),
        (([0, 3], [0, 0], [0, 1]), ">= 2"),
    ],
)
def test_bad_codes_raise_clear_errors(args, message):
    kwargs = {"n_tasks": 2} if message == ">= 2" else {}
    with pytest.raises(QualityInputError, match=message):
        check_codes(*args, **kwargs)


def test_error_is_a_value_error_with_details():
    with pytest.raises(ValueError) as caught:
        check_codes(np.zeros(2, int), np.zeros(3, int), np.zeros(2, int))
    assert caught.value.code == "invalid_input"


def test_integer_ids_take_the_lookup_path_and_large_ids_the_hash_path():
    small = pd.DataFrame({"task": [5, 3, 5], "worker": [1, 1, 2], "label": [0, 1, 0]})
    encoded = encode_labels(small)
    assert encoded.tasks.tolist() == [3, 5]
    assert encoded.codes.task_idx.dtype == np.int32
    huge = pd.DataFrame({"task": [10**15, 7, 10**15], "worker": [1, 1, 2], "label": [0, 1, 0]})
    assert sorted(encode_labels(huge).tasks.tolist()) == [7, 10**15]


def test_repeats_are_found_among_many_rows():
    rng = np.random.default_rng(0)
    tasks = rng.permutation(np.repeat(np.arange(1000), 3))
    frame = pd.DataFrame({"task": tasks, "worker": np.arange(3000) % 7, "label": 0})
    repeated = pd.concat([frame, frame.iloc[[10, 20]].assign(label=1)], ignore_index=True)
    expected = int(frame.duplicated(["task", "worker"]).sum()) + 2
    encoded = encode_labels(repeated)
    assert encoded.n_duplicates == expected
    assert encoded.codes.label_idx.sum() == 2  # the two last rows (label 1) were kept


@pytest.mark.parametrize("per_task", [2, 5, 40], ids=["short runs", "five", "long runs"])
def test_repeats_in_task_order_keep_the_last_like_pandas(per_task: int):
    # Exports come ordered by task: repeats are then looked for among each task's rows only
    # (runs longer than a few rows go the general way); both must keep the same rows.
    rng = np.random.default_rng(per_task)
    tasks = np.repeat(np.arange(400), per_task)
    workers = rng.integers(0, per_task + 2, tasks.size)  # few workers: many repeats
    frame = pd.DataFrame({"task": tasks, "worker": workers, "label": np.arange(tasks.size) % 3})
    kept = frame.drop_duplicates(["task", "worker"], keep="last")
    encoded = encode_labels(frame)
    assert encoded.n_duplicates == len(frame) - len(kept)
    assert encoded.codes.label_idx.tolist() == kept["label"].tolist()
    assert encoded.codes.task_idx.tolist() == kept["task"].tolist()
