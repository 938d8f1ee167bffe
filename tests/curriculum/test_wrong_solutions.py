"""Acceptance 3 of the curriculum: plausible wrong solutions lose points, with a useful message.

Each mistake is the reference solution of one answer cell with one change a learner could well
make. It must fail the named test, and that test's message must point at what to look at.
"""

import pytest

from tests.curriculum.conftest import Mistake, grade_mistake

MISTAKES = [
    # --- data-pipelines ---------------------------------------------------------------------
    Mistake(
        "data-pipelines",
        "keeps the last row in feed order, not the latest delivery",
        cell="deduplicate",
        replace='df.sort_values(["order_id", "ingested_at"])',
        by='df.sort_values("order_id", kind="stable")',
        fails="test_deduplicate",
        hint="latest ingested_at",
    ),
    Mistake(
        "data-pipelines",
        "an order at the cutoff lands in training (off by one)",
        cell="split",
        replace='(df["ordered_at"] < cutoff)',
        by='(df["ordered_at"] <= cutoff)',
        fails="test_split",
        hint="exactly at the cutoff",
    ),
    Mistake(
        "data-pipelines",
        "a random row split leaks customers",
        cell="split",
        replace='in_group = df["customer_id"].map(lambda c: zlib.crc32(str(c).encode()) % 5 == 0)',
        by="in_group = df.index.to_series().map(lambda i: i % 5 == 0)",
        fails="test_split",
        hint="split by customer",
    ),
    Mistake(
        "data-pipelines",
        "zero passes the amount range",
        cell="validate",
        replace='(df["amount"] > 0)',
        by='(df["amount"] >= 0)',
        fails="test_validate",
        hint="0 < amount <= MAX_AMOUNT",
    ),
    # --- ds-process -------------------------------------------------------------------------
    Mistake(
        "ds-process",
        "the share of positives instead of the most common class",
        cell="majority_accuracy",
        replace="return max(share_of_ones, 1 - share_of_ones)",
        by="return share_of_ones",
        fails="test_majority_accuracy",
        hint="the share of the most common class",
    ),
    Mistake(
        "ds-process",
        "folds without shuffling on rows sorted by tenure",
        cell="cv_auc",
        replace="StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)",
        by="StratifiedKFold(n_splits=k)",
        fails="test_cv_auc",
        hint="shuffled, seeded",
    ),
    Mistake(
        "ds-process",
        "AUC not folded: a backwards leak is missed",
        cell="leaks",
        replace="max(auc, 1 - auc)",
        by="auc",
        fails="test_leaks",
        hint="max(auc, 1 - auc)",
    ),
    # --- evaluating-classifiers -------------------------------------------------------------
    Mistake(
        "evaluating-classifiers",
        "a score equal to the threshold is not flagged",
        cell="precision_recall_at",
        replace="flagged = scores >= threshold",
        by="flagged = scores > threshold",
        fails="test_precision_recall_at",
        hint="score >= threshold",
    ),
    Mistake(
        "evaluating-classifiers",
        "the two costs swapped",
        cell="cheapest_threshold",
        replace="cost_missed * np.sum(~flagged & (y == 1)) + cost_alarm",
        by="cost_alarm * np.sum(~flagged & (y == 1)) + cost_missed",
        fails="test_cheapest_threshold",
        hint="which error costs cost_missed",
    ),
    Mistake(
        "evaluating-classifiers",
        "bins not weighted by their size",
        cell="expected_calibration_error",
        replace="error += rows.mean() * abs(",
        by="error += 1 / len(np.unique(index)) * abs(",
        fails="test_calibration",
        hint="weight each bin by its share of the rows",
    ),
    Mistake(
        "evaluating-classifiers",
        "the 5th and 95th percentiles for a 95 % interval",
        cell="bootstrap_ci",
        replace="tail = (1 - level) / 2 * 100",
        by="tail = (1 - level) * 100",
        fails="test_bootstrap_ci",
        hint="2.5 % from each tail",
    ),
    # --- evaluating-llm-answers -------------------------------------------------------------
    Mistake(
        "evaluating-llm-answers",
        "pass@k drawn with replacement (biased)",
        cell="pass_at_k",
        replace="return 1.0 - math.comb(n - c, k) / math.comb(n, k)",
        by="return 1.0 - (1 - c / n) ** k",
        fails="test_pass_at_k",
        hint="unbiased estimator",
    ),
    Mistake(
        "evaluating-llm-answers",
        "votes counted on raw answers",
        cell="majority_answer",
        replace="Counter(normalise(a) for a in answers)",
        by="Counter(answers)",
        fails="test_self_consistency",
        hint="normalise answers before counting",
    ),
    Mistake(
        "evaluating-llm-answers",
        "raw agreement reported as kappa",
        cell="cohen_kappa",
        replace="return (observed - chance) / (1 - chance)",
        by="return observed",
        fails="test_cohen_kappa",
        hint="agreement expected by chance",
    ),
    Mistake(
        "evaluating-llm-answers",
        "an unpaired bootstrap",
        cell="paired_bootstrap",
        replace="diffs.append(new[idx].mean() - old[idx].mean())",
        by="diffs.append(new[idx].mean() - old[rng.integers(0, len(old), size=len(old))].mean())",
        fails="test_paired_bootstrap",
        hint="not the paired one",
    ),
    # --- drift-over-time --------------------------------------------------------------------
    Mistake(
        "drift-over-time",
        "ECDFs compared only at the values of one sample",
        cell="ks_statistic",
        replace="points = np.concatenate([a, b])",
        by="points = a",
        fails="test_ks_statistic",
        hint="every value of both samples",
    ),
    Mistake(
        "drift-over-time",
        "calendar (ISO) week numbers instead of weeks since the first day",
        cell="weekly_drift",
        replace='week = (log["ts"] - first_day).dt.days // 7',
        by='week = log["ts"].dt.isocalendar().week',
        fails="test_weekly_drift",
        hint="(ts - first_day).days // 7",
    ),
    Mistake(
        "drift-over-time",
        "a mean plus three standard deviations instead of the percentile",
        cell="noise_threshold",
        replace="return float(np.percentile(values, q))",
        by="return float(np.mean(values) + 3 * np.std(values))",
        fails="test_noise_threshold",
        hint="q-th percentile",
    ),
    Mistake(
        "drift-over-time",
        "the alert fires on the first week above the threshold",
        cell="alert_weeks",
        replace="if run >= consecutive:",
        by="if run >= 1:",
        fails="test_alert_weeks",
        hint="the first week of a run and a lone week do not fire",
    ),
    # --- telemetry ----------------------------------------------------------------------------
    Mistake(
        "telemetry",
        "errors and timeouts counted as latencies",
        cell="latency_percentiles",
        replace='answered = df[df["status"] == "ok"]',
        by="answered = df",
        fails="test_latency_percentiles",
        hint="errors and timeouts are not answer latencies",
    ),
    Mistake(
        "telemetry",
        "the mean reported as p50",
        cell="latency_percentiles",
        replace='rows[version] = {"p50": p50,',
        by='rows[version] = {"p50": latency.mean(),',
        fails="test_latency_percentiles",
        hint="p50 is the median",
    ),
    Mistake(
        "telemetry",
        "timeouts left out of the error rate",
        cell="error_rates",
        replace='(df["status"] != "ok")',
        by='(df["status"] == "error")',
        fails="test_error_rates",
        hint="a timeout is a failure too",
    ),
    Mistake(
        "telemetry",
        "requests without feedback counted as wrong",
        cell="retrain_day",
        replace='rated = df[df["correct"].notna()]',
        by='rated = df.fillna({"correct": False})',
        fails="test_retrain_day",
        hint="correct is None",
    ),
    # --- training-pipelines -------------------------------------------------------------------
    Mistake(
        "training-pipelines",
        "the configuration hashed with its keys in typing order",
        cell="hashes",
        replace='json.dumps(config, sort_keys=True, separators=(",", ":"))',
        by='json.dumps(config, separators=(",", ":"))',
        fails="test_hashes",
        hint="sort the keys at every level",
    ),
    Mistake(
        "training-pipelines",
        "the model left unseeded",
        cell="train_run",
        replace='RandomForestClassifier(**config["model"], random_state=config["seed"])',
        by='RandomForestClassifier(**config["model"])',
        fails="test_train_run",
        hint="take its seed from config['seed']",
    ),
    Mistake(
        "training-pipelines",
        "the whole pipeline re-run: the steps after the random one are blamed too",
        cell="unstable_steps",
        replace="""    unstable = []
    current = data
    for name, step in pipeline:
        outputs = [step(current) for _ in range(runs)]
        if len({frame_hash(out) for out in outputs}) > 1:
            unstable.append(name)
        current = outputs[0]
    return unstable""",
        by="""    hashes = {name: set() for name, _ in pipeline}
    for _ in range(runs):
        current = data
        for name, step in pipeline:
            current = step(current)
            hashes[name].add(frame_hash(current))
    return [name for name, _ in pipeline if len(hashes[name]) > 1]""",
        fails="test_unstable_steps",
        hint="A step fed a different input is not to blame",
    ),
    Mistake(
        "training-pipelines",
        "runs compared by their scores",
        cell="diagnose",
        replace='if a["model"] == b["model"]:',
        by='if a["valid_accuracy"] == b["valid_accuracy"]:',
        fails="test_diagnose",
        hint="compare the model hashes, not the scores",
    ),
    # --- model-prompt-management --------------------------------------------------------------
    Mistake(
        "model-prompt-management",
        "a registered version shares the caller's dicts",
        cell="registry",
        replace='copy.deepcopy({k: entry[k] for k in ("model", "template", "params")})',
        by='{k: entry[k] for k in ("model", "template", "params")}',
        fails="test_registry",
        hint="store a deep copy",
    ),
    Mistake(
        "model-prompt-management",
        "versions numbered from 0",
        cell="registry",
        replace='"version": len(versions) + 1',
        by='"version": len(versions)',
        fails="test_registry",
        hint="the first version of a name is 1",
    ),
    Mistake(
        "model-prompt-management",
        "answers not lower-cased before matching",
        cell="evaluate",
        replace="text = answer.strip().lower()",
        by="text = answer.strip()",
        fails="test_evaluate",
        hint="lower-case",
    ),
    Mistake(
        "model-prompt-management",
        "only the overall accuracy compared",
        cell="compatibility_check",
        replace='if candidate["recall"][CRITICAL] < current["recall"][CRITICAL]:',
        by="if False:",
        fails="test_compatibility_check",
        hint="compare the recall on CRITICAL",
    ),
    # --- human-in-the-loop --------------------------------------------------------------------
    Mistake(
        "human-in-the-loop",
        "a confidence at the threshold goes to review",
        cell="route_summary",
        replace="review = confidence < threshold\n    auto",
        by="review = confidence <= threshold\n    auto",
        fails="test_route_summary",
        hint="a confidence exactly at the threshold is not reviewed",
    ),
    Mistake(
        "human-in-the-loop",
        "errors the reviewers fix still counted as cost",
        cell="best_threshold",
        replace="error_cost * (~correct & ~review).sum()",
        by="error_cost * (~correct).sum()",
        fails="test_best_threshold",
        hint="errors among reviewed invoices cost nothing",
    ),
    Mistake(
        "human-in-the-loop",
        "retried events counted twice",
        cell="training_examples",
        replace='events = feedback.drop_duplicates("event_id")',
        by="events = feedback",
        fails="test_training_examples",
        hint="Drop duplicate event_ids",
    ),
    Mistake(
        "human-in-the-loop",
        "a thumbs-down taken as confirming the prediction",
        cell="training_examples",
        replace='thumbs_up = (events["rating"] == "up") & events["correction"].isna()',
        by='thumbs_up = events["rating"].notna() & events["correction"].isna()',
        fails="test_training_examples",
        hint="a thumbs-down without correction",
    ),
    Mistake(
        "human-in-the-loop",
        "the plain mean of the reviewed invoices",
        cell="estimated_accuracy",
        replace='weight = np.where(reviews["reason"] == "audit", 1 / audit_rate, 1.0)',
        by="weight = np.ones(len(reviews))",
        fails="test_estimated_accuracy",
        hint="1 / its chance of being reviewed",
    ),
    # --- privacy-security ---------------------------------------------------------------------
    Mistake(
        "privacy-security",
        "Luhn doubling starts at the last digit",
        cell="redact",
        replace="(2 if i % 2 == 1 else 1)",
        by="(2 if i % 2 == 0 else 1)",
        fails="test_redact",
        hint="the last digit itself is not doubled",
    ),
    Mistake(
        "privacy-security",
        "every long number redacted as a card",
        cell="redact",
        replace='return "[CARD]" if luhn_valid(digits) else match.group()',
        by='return "[CARD]"',
        fails="test_redact",
        hint="is not a card: keep it",
    ),
    Mistake(
        "privacy-security",
        "age bands one year too wide",
        cell="k_anonymity",
        replace="(low + 9)",
        by="(low + 10)",
        fails="test_k_anonymity",
        hint="the band ends at lower + 9",
    ),
    Mistake(
        "privacy-security",
        "Laplace scale epsilon instead of 1 / epsilon",
        cell="noisy_counts",
        replace="rng.laplace(0.0, 1 / epsilon, size=len(counts))",
        by="rng.laplace(0.0, epsilon, size=len(counts))",
        fails="test_noise",
        hint="the Laplace scale is 1 / epsilon",
    ),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.id)
def test_a_plausible_mistake_loses_points_with_a_message_that_says_where_to_look(mistake):
    grade, spec = grade_mistake(mistake)

    results = {r.id: r.as_dict() for r in grade.results}
    failed = results[mistake.fails]
    assert not failed["passed"] and failed["points"] == 0
    assert mistake.hint in failed["message"], failed["message"]
    assert grade.score < spec.auto_max_score
    assert not grade.flags  # an honest mistake is not tampering


def test_every_lab_has_at_least_two_mistakes_tested():
    from tests.curriculum.conftest import LABS

    per_lab = {slug: sum(m.slug == slug for m in MISTAKES) for slug in LABS}
    missing = {slug: n for slug, n in per_lab.items() if n < 2 and slug != "data-drift"}
    assert not missing, f"labs with fewer than two wrong solutions tested: {missing}"
