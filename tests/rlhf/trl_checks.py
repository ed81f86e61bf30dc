"""TRL's own data checks, run on exported files without a model: what its trainers do first.

A trainer prepares a dataset with ``trl.data_utils`` before any training step: it tells the
format by its keys (``is_conversational``), pulls out an implicit prompt (``extract_prompt``),
renders conversations through the tokenizer's chat template (``apply_chat_template``, which
refuses unknown key sets), unpairs preferences for KTO (``unpair_preference_dataset``), and
tokenizes prompt and prompt+completion expecting the first to prefix the second
(``common_prefix_length``). We do the same with a tiny word-level tokenizer built in memory
(no download), whose chat template is written out below.
"""

from __future__ import annotations

from typing import Any

from datasets import Dataset
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast
from trl.data_utils import (
    apply_chat_template,
    common_prefix_length,
    extract_prompt,
    is_conversational,
    is_conversational_from_value,
    maybe_apply_chat_template,
    unpair_preference_dataset,
)

CHAT_TEMPLATE = (
    "{% for message in messages %}<|{{ message['role'] }}|>\n{{ message['content'] }}\n<|end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)


def tiny_tokenizer(texts: list[str]) -> PreTrainedTokenizerFast:
    """A word-level tokenizer over the words of ``texts``, with a chat template."""
    words = {"[UNK]", "<|end|>", "<|eos|>"}
    splitter = pre_tokenizers.Whitespace()
    for text in texts:
        words.update(piece for piece, _span in splitter.pre_tokenize_str(text))
    vocab = {word: index for index, word in enumerate(sorted(words))}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = splitter
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        unk_token="[UNK]",
        eos_token="<|eos|>",
        chat_template=CHAT_TEMPLATE,
    )


def _texts(dataset: Dataset) -> list[str]:
    texts = [CHAT_TEMPLATE]
    for row in dataset:
        for key in ("prompt", "chosen", "rejected", "completion", "messages"):
            texts.extend(m["content"] for m in row.get(key) or [])
    return texts


def _ids(
    tokenizer: PreTrainedTokenizerFast, messages: list[dict[str, str]], **kw: Any
) -> list[int]:
    return list(
        tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True, **kw)["input_ids"]
    )


def check_dpo(dataset: Dataset) -> None:
    """What DPOTrainer does to a conversational preference dataset, up to tokenizing."""
    tokenizer = tiny_tokenizer(_texts(dataset))
    for row in dataset:
        assert is_conversational(row)
        prompt_ids = _ids(tokenizer, row["prompt"], add_generation_prompt=True)
        for side in ("chosen", "rejected"):
            full = _ids(tokenizer, row["prompt"] + row[side])
            assert common_prefix_length(prompt_ids, full) == len(prompt_ids) < len(full)
    rendered = dataset.map(maybe_apply_chat_template, fn_kwargs={"processing_class": tokenizer})
    assert all(r["prompt"].endswith("<|assistant|>\n") for r in rendered)
    unpaired = unpair_preference_dataset(dataset)
    assert sorted(unpaired["label"]) == [False] * len(dataset) + [True] * len(dataset)


def check_reward(dataset: Dataset) -> None:
    """What RewardTrainer (implicit prompt) and DPOTrainer's prompt extraction accept."""
    tokenizer = tiny_tokenizer(_texts(dataset))
    for row in dataset:
        assert is_conversational(row) and "prompt" not in row
        extracted = extract_prompt({"chosen": row["chosen"], "rejected": row["rejected"]})
        assert extracted["prompt"] == row["chosen"][:-1] == row["rejected"][:-1]
        rendered = apply_chat_template(
            {"chosen": row["chosen"], "rejected": row["rejected"]}, tokenizer
        )
        assert rendered["chosen"] != rendered["rejected"]
        assert isinstance(row["margin"], float) and row["margin"] >= 0


def check_kto(dataset: Dataset) -> None:
    """What KTOTrainer does to an unpaired preference dataset, up to tokenizing."""
    tokenizer = tiny_tokenizer(_texts(dataset))
    assert set(dataset["label"]) <= {True, False}
    for row in dataset:
        assert is_conversational(row)
        rendered = apply_chat_template(
            {k: row[k] for k in ("prompt", "completion", "label")}, tokenizer
        )
        assert rendered["prompt"].endswith("<|assistant|>\n") and rendered["completion"]


def check_sft(dataset: Dataset) -> None:
    """What SFTTrainer does to a conversational language-modelling dataset, up to tokenizing."""
    tokenizer = tiny_tokenizer(_texts(dataset))
    for row in dataset:
        assert is_conversational(row) and not is_conversational_from_value(row)
        assert row["messages"][-1]["role"] == "assistant"
        text = apply_chat_template({"messages": row["messages"]}, tokenizer)["text"]
        assert row["messages"][-1]["content"].split()[0] in text
