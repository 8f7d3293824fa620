"""Code cards: the person writes the function an interviewer asks for, and the reference engine judges it.

- `cvquiz.codecards.spec`: what a code card asks (function name, signature, starter code) and `check_card`;
- `cvquiz.codecards.references` and `cvquiz.codecards.inputs`: the judges' reference functions (the engine)
  and the generators of their inputs (parameter spaces and fixed edge cases);
- `cvquiz.codecards.judge`: `judge_code` runs a submission on every case, compares, shrinks a failure;
- `cvquiz.codecards.sandbox` and `cvquiz.codecards.child`: the separate, limited process the code runs in;
- `cvquiz.codecards.wire`: the JSON format between the two processes (never pickle).

This package's ``__init__`` imports nothing, so the child process starts without the rest of cvquiz.
"""
