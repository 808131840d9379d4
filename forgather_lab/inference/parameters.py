"""The generation parameter names Forgather Lab knows, in one place.

Forgather's own server reads the OpenAI sampling names and passes the
HuggingFace ``GenerationConfig`` extensions through (``HF_PASSTHROUGH``);
other OpenAI-compatible servers (vLLM, llama.cpp) add names of their own,
the common ones listed in ``SERVER_EXTENSIONS``. A generation preset sent as
bare parameters is checked against ``GENERATION_PARAMETERS`` so that a body
that is not parameters (a typo, a wrong wrapper key) is a 400 rather than a
saved preset; ``{"params": {...}}`` stores any names.

Plain constants: the server child imports this without pydantic or the core.
"""

from __future__ import annotations

# The OpenAI completions / chat-completions request fields that tune generation.
OPENAI = frozenset(
    {
        "max_tokens",
        "max_completion_tokens",
        "temperature",
        "top_p",
        "n",
        "stop",
        "seed",
        "stream",
        "stream_options",
        "presence_penalty",
        "frequency_penalty",
        "logit_bias",
        "logprobs",
        "top_logprobs",
        "best_of",
        "echo",
        "suffix",
        "response_format",
        "user",
    }
)

# HuggingFace GenerationConfig names Forgather's server passes to ``generate``;
# anything else in a request it ignores.
HF_PASSTHROUGH = (
    "top_k",
    "min_p",
    "typical_p",
    "epsilon_cutoff",
    "eta_cutoff",
    "repetition_penalty",
    "no_repeat_ngram_size",
    "num_beams",
    "num_beam_groups",
    "diversity_penalty",
    "length_penalty",
    "early_stopping",
    "penalty_alpha",
    "do_sample",
)

# Sampling extensions of the servers an inference job commonly runs (vLLM, llama.cpp).
SERVER_EXTENSIONS = frozenset(
    {
        "min_tokens",
        "ignore_eos",
        "stop_token_ids",
        "skip_special_tokens",
        "spaces_between_special_tokens",
        "include_stop_str_in_output",
        "use_beam_search",
        "mirostat",
        "mirostat_tau",
        "mirostat_eta",
        "tfs_z",
        "repeat_penalty",
        "repeat_last_n",
        "n_predict",
        "dynatemp_range",
        "dynatemp_exponent",
    }
)

GENERATION_PARAMETERS = OPENAI | frozenset(HF_PASSTHROUGH) | SERVER_EXTENSIONS
