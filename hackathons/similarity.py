"""Duplicate-effort detection: which existing ideas and projects say the same as a text.

TF-IDF over title, problem and approach, twice: word uni- and bigrams (the same words) and
character 3–5-grams within words (the same stems: "drift"/"drifting", "label"/"labelling").
The score is the mean of the two cosine similarities, in [0, 1]. The vocabulary is fitted on
the candidates and the query together, so a rare word shared by two texts counts for much.
`bench/similarity.py` measures recall on re-worded duplicates.
"""

from dataclasses import dataclass

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

# Below this, two texts share little more than common words: not worth showing.
MIN_SCORE = 0.12
DEFAULT_LIMIT = 5


@dataclass(frozen=True)
class Candidate:
    key: object  # whatever the caller needs to find the row again
    text: str


def _vectorizers() -> list[TfidfVectorizer]:
    return [
        TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            stop_words="english",
            sublinear_tf=True,
            strip_accents="unicode",
        ),
        TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, strip_accents="unicode"
        ),
    ]


def scores(query: str, candidates: list[Candidate]) -> list[float]:
    """The similarity of `query` to each candidate, in the candidates' order."""
    if not candidates or not query.strip():
        return [0.0] * len(candidates)
    texts = [query] + [c.text for c in candidates]
    total = [0.0] * len(candidates)
    vectorizers = _vectorizers()
    for vectorizer in vectorizers:
        try:
            matrix = vectorizer.fit_transform(texts)
        except ValueError:  # nothing left after stop words: no evidence from this view
            continue
        row = cosine_similarity(matrix[0], matrix[1:])[0]
        total = [t + float(s) for t, s in zip(total, row, strict=True)]
    return [t / len(vectorizers) for t in total]


def most_similar(
    query: str,
    candidates: list[Candidate],
    *,
    limit: int = DEFAULT_LIMIT,
    min_score: float = MIN_SCORE,
) -> list[tuple[Candidate, float]]:
    """The candidates most like `query`, best first, with their scores (rounded to 3 places)."""
    ranked = sorted(
        zip(candidates, scores(query, candidates), strict=True), key=lambda pair: -pair[1]
    )
    return [(c, round(s, 3)) for c, s in ranked[:limit] if s >= min_score]
