"""Duplicate-idea detection: recall of re-worded duplicates among unrelated ideas.

A backlog of 24 hackathon ideas, and 8 duplicates of some of them written again by someone else:
four keep some of the original's words, four share almost none (synonyms, another angle). For
each duplicate the originals are ranked by similarity; recall@k is the share of duplicates whose
original is among the first k. Three ways of comparing texts are measured side by side:

- plain TF-IDF: word uni- and bigrams only;
- character n-grams only (3–5 within words);
- Cultivate's default (`hackathons.similarity`): the mean of the two.

Run: `.venv/bin/python bench/similarity.py`. Results go in bench/README.md.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics.pairwise import cosine_similarity  # noqa: E402

from hackathons import similarity  # noqa: E402

ORIGINALS = {
    "drift-alerts": "Alert on data drift. Training and serving data diverge silently. Compute "
    "PSI per feature every night and post an alert to the team channel when it crosses 0.2.",
    "label-noise": "Find label noise. Some training labels are wrong. Use confident learning to "
    "flag examples whose label disagrees with out-of-fold predictions and queue them for review.",
    "prompt-ci": "Prompt regression tests in CI. Prompt edits break answers. Run a fixed "
    "evaluation set against every prompt change and fail the build when the score drops.",
    "feature-docs": "Feature store documentation. Nobody knows what a feature means. Generate "
    "a catalogue page per feature from its definition, owner and lineage.",
    "gpu-costs": "GPU cost dashboard. Training bills surprise us. Collect GPU hours per job "
    "and team and show the monthly spend with a forecast.",
    "pii-scan": "Scan datasets for personal data. Emails and phone numbers leak into training "
    "sets. Run a detector over new tables and block the pipeline on a hit.",
    "shadow-deploy": "Shadow deployments for models. New models go live untested on real "
    "traffic. Mirror requests to the candidate and compare its outputs with production.",
    "feedback-widget": "Thumbs up and down on answers. We never hear what users think of the "
    "assistant. Add a feedback widget and store ratings with the answer and prompt version.",
    "notebook-lint": "Lint notebooks. Notebooks in the repo have hidden state and unused "
    "imports. A pre-commit hook that runs them top to bottom and reports problems.",
    "data-contracts": "Data contracts between teams. Upstream schema changes break our "
    "pipelines. Declare expected columns and types and check them on every load.",
    "eval-dashboard": "Model evaluation dashboard. Offline metrics live in scattered "
    "spreadsheets. One page with every model's metrics per dataset slice over time.",
    "onboarding-bot": "Onboarding assistant. New hires ask the same questions. A chat bot "
    "answering from our wiki and runbooks, with links to the sources.",
    "latency-budget": "Inference latency budget. p99 latency creeps up release after "
    "release. Track latency per model version and warn when it exceeds its budget.",
    "synthetic-data": "Synthetic test data. Tests need realistic data we are not allowed to "
    "copy. Generate synthetic tables that keep the statistics of the real ones.",
    "experiment-tracker": "Shared experiment tracking. Runs are logged in personal folders. "
    "Set up a shared tracker with parameters, metrics and artefacts for every training run.",
    "on-call-runbooks": "Runbooks for ML on-call. Night pages about models end in guessing. "
    "Write a runbook per alert with the checks and the rollback steps.",
    "active-learning": "Active learning loop. Annotators label random samples. Pick the "
    "examples the model is least sure about and send those to annotation first.",
    "model-cards": "Model cards. Nobody knows a model's intended use and limits. Fill a card "
    "per model from the registry and show it next to the endpoint.",
    "query-autocomplete": "Search query autocomplete. Users type long queries slowly. Suggest "
    "completions from popular queries with a small prefix index.",
    "dataset-versioning": "Dataset versioning. We cannot reproduce last month's model because "
    "the data changed. Snapshot training data with a content hash stored with each model.",
    "accessibility-audit": "Accessibility audit of the portal. Screen reader users struggle "
    "with our forms. Audit every page and fix labels, contrast and focus order.",
    "carbon-footprint": "Carbon footprint of training. We do not know the emissions of our "
    "jobs. Estimate energy per training job from GPU type and duration.",
    "office-plants": "Office plant watering rota. Plants on the third floor keep dying. A "
    "shared calendar that reminds someone each week.",
    "flaky-tests": "Flaky test finder. CI fails at random and people rerun it. Record test "
    "outcomes across runs and list tests that pass and fail on the same commit.",
}

# (original, duplicate, shares words with the original?)
DUPLICATES = [
    ("drift-alerts", "Drift alerting for features. Notify the channel when feature "
     "distributions drift between training and serving, using a nightly PSI check.", True),
    ("prompt-ci", "CI checks for prompt changes. Every prompt change runs the evaluation set "
     "and the build fails if answers get worse.", True),
    ("gpu-costs", "Show what GPU training costs each team. A monthly dashboard of GPU hours "
     "per job with a spend forecast.", True),
    ("pii-scan", "Block personal data in training sets: detect emails and phone numbers in "
     "new tables before the pipeline uses them.", True),
    ("label-noise", "Mislabelled samples. Annotators make mistakes; spot the examples whose "
     "annotation looks wrong given cross-validated predictions.", False),
    ("feedback-widget", "Let people rate the chatbot. Capture user satisfaction per reply, "
     "along with which template version produced it.", False),
    ("dataset-versioning", "Reproducible models. Freeze the exact rows each model learned "
     "from, fingerprinted, so an old model can be rebuilt.", False),
    ("shadow-deploy", "Try candidate models on live requests without users seeing them: "
     "duplicate incoming calls and diff the responses.", False),
]  # fmt: skip


def rank_with(vectorizers, query: str, keys: list[str]) -> list[str]:
    texts = [query] + [ORIGINALS[k] for k in keys]
    total = [0.0] * len(keys)
    for make in vectorizers:
        matrix = make().fit_transform(texts)
        row = cosine_similarity(matrix[0], matrix[1:])[0]
        total = [t + float(s) for t, s in zip(total, row, strict=True)]
    return [k for _, k in sorted(zip(total, keys, strict=True), key=lambda pair: -pair[0])]


def rank_cultivate(query: str, keys: list[str]) -> list[str]:
    candidates = [similarity.Candidate(key=k, text=ORIGINALS[k]) for k in keys]
    found = similarity.most_similar(query, candidates, limit=len(keys), min_score=0)
    return [c.key for c, _ in found]


def words():
    return TfidfVectorizer(analyzer="word", ngram_range=(1, 2), stop_words="english")


def chars():
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)


METHODS = {
    "plain TF-IDF (words 1-2)": lambda q, keys: rank_with([words], q, keys),
    "character n-grams (3-5)": lambda q, keys: rank_with([chars], q, keys),
    "cultivate (words + characters)": rank_cultivate,
}


def recall(method, subset) -> tuple[float, float]:
    keys = list(ORIGINALS)
    at1 = at3 = 0
    for original, duplicate, _ in subset:
        ranked = method(duplicate, keys)
        at1 += ranked[:1] == [original]
        at3 += original in ranked[:3]
    return at1 / len(subset), at3 / len(subset)


def main() -> None:
    print(f"{len(ORIGINALS)} ideas, {len(DUPLICATES)} re-worded duplicates "
          f"({sum(not s for *_, s in DUPLICATES)} sharing almost no words)\n")  # fmt: skip
    print("| method | recall@1 | recall@3 | recall@1, few shared words | recall@3, few |")
    print("|---|---|---|---|---|")
    hard = [d for d in DUPLICATES if not d[2]]
    for name, method in METHODS.items():
        r1, r3 = recall(method, DUPLICATES)
        h1, h3 = recall(method, hard)
        print(f"| {name} | {r1:.2f} | {r3:.2f} | {h1:.2f} | {h3:.2f} |")


if __name__ == "__main__":
    main()
