"""TensorBoard: a job kind and the helpers of its auth-gated reverse proxy."""
