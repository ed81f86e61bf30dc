import pytest

from assay.quality.pairwise import reveals_identity


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("I am ChatGPT, a large language model.", "I am ChatGPT"),
        ("As an AI developed by OpenAI, I cannot browse.", "As an AI developed by OpenAI"),
        ("Hi! I'm Claude. How can I help?", "I'm Claude"),
        ("i\u2019m claude, nice to meet you", "i\u2019m claude"),
        (
            "I'm a large language model trained by Google.",
            "I'm a large language model trained by Google",
        ),
        (
            "as an AI language model developed by Meta, I",
            "as an AI language model developed by Meta",
        ),
        ("Gemini can help you plan the trip.", "Gemini"),
        ("Llama 3 answers in English.", "Llama"),
        ("Mistral models are fast.", "Mistral"),
        ("Claude 3 Opus wrote this.", "Claude 3"),
        ("We compared it with gpt-4o-mini and GPT-4.", "gpt-4o-mini"),
        ("Built on the DeepSeek stack", "DeepSeek"),
        ("My name is Grok.", "My name is Grok"),
    ],
)
def test_reveals(text, phrase):
    assert reveals_identity(text) == phrase


@pytest.mark.parametrize(
    "text",
    [
        "Llamas are domesticated camelids; a llama can carry 30 kg.",
        "The mistral is a cold northerly wind.",
        "My star sign is gemini.",
        "Claude Monet painted water lilies.",
        "Claudette and Gemmas are names.",
        "Android was developed by Google.",
        "Search for it on Google or ask Meta's support team.",
        "The openair festival starts at noon.",
        "The bard sang of old kings.",
        "",
    ],
)
def test_ordinary_words_are_not_reveals(text):
    assert reveals_identity(text) is None


def test_caller_names_match_with_loose_separators_and_any_case():
    names = ["acme/My-Model-7B"]
    assert reveals_identity("Hello from my model 7b!", names) == "my model 7b"
    assert reveals_identity("MyModel7B here", names) == "MyModel7B"
    assert reveals_identity("acme/my-model-7b says hi", names) == "acme/my-model-7b"
    assert reveals_identity("a model of 7 bits", names) is None
    assert reveals_identity("I am X1, a helper", ["x1"]) is None  # too short to trust


def test_caller_name_that_is_an_ordinary_word_keeps_the_builtin_rule():
    assert reveals_identity("a llama grazed", ["llama"]) is None
    assert reveals_identity("I'm llama, a model", ["llama"]) == "I'm llama"
    assert reveals_identity("Powered by Falcon", ["falcon-7b", "Falcon"]) == "Falcon"


def test_earliest_phrase_wins():
    text = "Sure. I'm Gemini, not ChatGPT."
    assert reveals_identity(text) == "I'm Gemini"
