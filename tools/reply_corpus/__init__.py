"""The training corpus of the reply check's learned layer, written as pairs of a bad draft and its mended
version (``python -m tools.reply_corpus`` writes ``data/replies/train-*.jsonl``; docs/replies.md)."""
