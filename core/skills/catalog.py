"""The skill catalog as first shipped: groups, skills, rubrics and targets per career stage.

This is plain data. Migration 0004 holds a frozen copy and loads it; after that, staff edit
skills and targets in the admin. A change here means a new data migration, never an edit of
0004 (tests/skills/test_catalog.py fails while the two disagree on a fresh database).

A skill is (slug, short name, name, group, description, rubric, targets): the rubric is one
sentence of observable behaviour for each level 0–4, the targets the level expected at each
career stage (early-career, senior, staff, principal).
"""

FOUNDATIONS, PRODUCTION_ML, GROWING_OTHERS = "foundations", "production_ml", "growing_others"

STAGES = ("early_career", "senior", "staff", "principal")

SKILLS = [
    (
        "coding",
        "Coding",
        "Coding",
        FOUNDATIONS,
        "Writes clear, correct and maintainable code in the team's languages, and reads other "
        "people's code to learn from it.",
        (
            "Has not yet written production code in the team's languages.",
            "Writes small working changes with guidance and follows the team's style guide.",
            "Delivers well-structured features on their own, with readable names and small "
            "functions.",
            "Designs modules that others build on easily, and simplifies code while changing it.",
            "Sets coding standards across teams and teaches them through reviews and examples.",
        ),
        (2, 3, 4, 4),
    ),
    (
        "testing",
        "Testing",
        "Testing",
        FOUNDATIONS,
        "Proves that code, data and models do what they should, with automated tests that "
        "stay fast and trustworthy.",
        (
            "Does not yet write automated tests.",
            "Adds unit tests for their own changes when asked, following existing examples.",
            "Writes unit and integration tests for every change, including edge cases and "
            "failures.",
            "Designs test strategies for systems with data and models (fixtures, golden sets, "
            "property tests) and keeps suites reliable.",
            "Shapes how the organisation tests ML systems and removes whole classes of defects.",
        ),
        (2, 3, 3, 4),
    ),
    (
        "devops-ci-cd",
        "DevOps / CI-CD",
        "DevOps / CI-CD",
        FOUNDATIONS,
        "Builds, tests and ships services and models through automated pipelines, and keeps "
        "them running.",
        (
            "Has not yet worked with the team's build, deploy or CI pipelines.",
            "Runs the pipelines and reads their logs to find out why a build failed.",
            "Changes CI jobs, containers and deploy configuration for their own services "
            "without help.",
            "Designs pipelines that build, test and release models and services safely, with "
            "rollbacks.",
            "Sets the organisation's delivery practices and measurably shortens the path to "
            "production.",
        ),
        (1, 2, 3, 3),
    ),
    (
        "code-review",
        "Code review",
        "Code review and collaboration",
        FOUNDATIONS,
        "Reviews and is reviewed well: specific, timely, kind, and focused on what matters.",
        (
            "Has not yet reviewed other people's changes.",
            "Asks for reviews, answers comments and leaves small comments on others' changes.",
            "Gives timely, specific and kind reviews that catch real defects and explain why.",
            "Reviews design and risk across a system and helps others make reviewable changes.",
            "Builds a review culture across teams that people describe as fast, safe and generous.",
        ),
        (1, 3, 3, 4),
    ),
    (
        "prioritisation",
        "Prioritisation",
        "Prioritisation",
        FOUNDATIONS,
        "Works on what matters most first, makes trade-offs visible and says no with reasons.",
        (
            "Works on tasks in the order they arrive.",
            "Breaks their own tasks into steps and says early when something will take longer.",
            "Orders their own work by impact and effort and raises trade-offs before committing.",
            "Plans a team's work around outcomes, cuts scope deliberately and says no with "
            "reasons.",
            "Aligns several teams' priorities with the organisation's goals and revisits them "
            "as facts change.",
        ),
        (1, 2, 3, 4),
    ),
    (
        "data-science-process",
        "Data-science process",
        "Understanding the data-science process",
        PRODUCTION_ML,
        "Knows how a model goes from question to hypothesis, data, experiment and decision, "
        "and works well with data scientists.",
        (
            "Does not yet know how data scientists frame and run experiments.",
            "Explains the stages of an experiment and follows a notebook to see what was done.",
            "Turns an experiment into production code while keeping its assumptions and "
            "metrics intact.",
            "Challenges framing, baselines and metrics, and helps data scientists design "
            "experiments that can ship.",
            "Shapes how the organisation takes models from research to production.",
        ),
        (1, 2, 3, 3),
    ),
    (
        "data-management",
        "Data management",
        "Data management",
        PRODUCTION_ML,
        "Tracks training and validation data, builds reliable data pipelines and notices "
        "when the data shifts.",
        (
            "Does not yet know where the team's training and validation data come from.",
            "Finds and loads the right dataset version and follows the team's data conventions.",
            "Builds pipelines that version, validate and document training and validation data.",
            "Detects and handles data shift in production, with lineage from a model back to "
            "its source data.",
            "Sets data-management standards that teams across the organisation use and "
            "auditors trust.",
        ),
        (1, 2, 3, 3),
    ),
    (
        "privacy-security",
        "Privacy & security",
        "Privacy and security",
        PRODUCTION_ML,
        "Handles personal and sensitive data lawfully and keeps models, data and secrets safe.",
        (
            "Is not yet aware of the rules for personal data and secrets.",
            "Follows the team's rules for personal data, access and secrets without exceptions.",
            "Minimises and protects personal data in their own pipelines and spots common "
            "threats such as leaks and prompt injection.",
            "Leads privacy and threat reviews of ML systems and fixes findings at their root.",
            "Defines privacy and security practice for ML across the organisation, with the "
            "legal and security teams.",
        ),
        (1, 2, 3, 3),
    ),
    (
        "training-pipelines",
        "Training pipelines",
        "Training pipelines",
        PRODUCTION_ML,
        "Builds reproducible training, from versioned data to a trained and tracked model.",
        (
            "Has not yet trained a model outside a notebook.",
            "Runs an existing training pipeline and reads its logs and metrics.",
            "Builds reproducible training pipelines with tracked parameters, data versions and "
            "artefacts.",
            "Designs training infrastructure that scales, recovers from failures and keeps "
            "costs in check.",
            "Sets the direction of the organisation's training platform and makes it easy for "
            "every team to use.",
        ),
        (1, 2, 3, 3),
    ),
    (
        "model-prompt-management",
        "Model & prompt mgmt",
        "Model and prompt management",
        PRODUCTION_ML,
        "Versions models and prompts, and keeps products working when a model is updated.",
        (
            "Does not yet version models or prompts.",
            "Registers models and prompts in the team's registry and uses pinned versions.",
            "Ships model and prompt updates with compatibility checks and a way to roll back.",
            "Designs versioning and release processes that keep many consumers working "
            "through model updates.",
            "Sets the organisation's model and prompt lifecycle practice, including for "
            "vendors' models.",
        ),
        (1, 2, 3, 3),
    ),
    (
        "evaluation",
        "Evaluation",
        "Evaluation",
        PRODUCTION_ML,
        "Measures whether a model is good enough, offline and online, including the "
        "probabilistic answers of LLMs.",
        (
            "Does not yet evaluate models beyond a single accuracy number.",
            "Runs the team's evaluation suite and explains what its metrics mean.",
            "Builds evaluation sets and metrics that fit the product, with repeated runs for "
            "non-deterministic LLM answers.",
            "Designs evaluations (offline, online, human- and model-graded) whose results "
            "people trust for release decisions.",
            "Defines how the organisation evaluates models and is consulted on hard "
            "evaluation problems.",
        ),
        (1, 3, 3, 4),
    ),
    (
        "telemetry",
        "Telemetry",
        "Telemetry",
        PRODUCTION_ML,
        "Instruments models in production to know how they behave: latency, errors, drift and "
        "quality.",
        (
            "Does not yet look at how models behave in production.",
            "Reads dashboards and logs to answer questions about a model in production.",
            "Adds metrics, traces and logs to their own services and sets useful alerts.",
            "Designs monitoring that catches quality and drift problems before users do.",
            "Sets observability standards for ML across the organisation.",
        ),
        (1, 2, 3, 3),
    ),
    (
        "human-in-the-loop",
        "Human in the loop",
        "Human in the loop",
        PRODUCTION_ML,
        "Designs where people review, correct or approve model outputs, and puts their "
        "judgements to use.",
        (
            "Has not yet worked on human review of model outputs.",
            "Explains where people review model outputs in the team's products.",
            "Builds review and labelling flows that capture human judgements in a usable form.",
            "Decides where humans must stay in the loop, weighing risk, cost and model confidence.",
            "Sets human-oversight practice for ML products across the organisation.",
        ),
        (1, 2, 2, 3),
    ),
    (
        "user-feedback-loops",
        "User feedback loops",
        "User feedback loops",
        PRODUCTION_ML,
        "Closes the loop: collects user feedback and turns it into better data, evaluations "
        "and models.",
        (
            "Does not yet use user feedback in model work.",
            "Reads user feedback and reports the patterns they see to the team.",
            "Builds feedback capture that flows into datasets or evaluation sets.",
            "Designs feedback loops that measurably improve models while guarding against bias "
            "and runaway feedback.",
            "Makes learning from users a habit across the organisation's products.",
        ),
        (1, 2, 3, 3),
    ),
    (
        "mentoring",
        "Mentoring",
        "Mentoring",
        GROWING_OTHERS,
        "Helps others grow through regular, honest and kind guidance.",
        (
            "Has not yet mentored anyone.",
            "Answers questions from newer colleagues and shares what they know.",
            "Mentors one person regularly, with goals, feedback and follow-up.",
            "Mentors several people whose growth is visible, and helps others become mentors.",
            "Builds mentoring programmes and a culture in which growing others is expected.",
        ),
        (0, 2, 3, 4),
    ),
    (
        "cross-team-collaboration",
        "Cross-team work",
        "Cross-team collaboration",
        GROWING_OTHERS,
        "Works across team boundaries: shares, asks, and delivers with other teams.",
        (
            "Works only within their own team.",
            "Asks other teams for help and answers their questions.",
            "Delivers work that depends on other teams and keeps everyone informed.",
            "Leads projects across teams and resolves conflicts between their goals.",
            "Connects teams across the organisation so that they share tools, code and knowledge.",
        ),
        (1, 2, 3, 4),
    ),
    (
        "driving-innovation",
        "Innovation",
        "Driving innovation",
        GROWING_OTHERS,
        "Brings new ideas, tests them cheaply and turns the good ones into practice.",
        (
            "Has not yet proposed an improvement.",
            "Suggests improvements to their own team's tools or processes.",
            "Prototypes new ideas, for example in a hackathon, and shares what was learned.",
            "Turns experiments into adopted practice or products in their area.",
            "Sets direction on new techniques and makes room for others to innovate.",
        ),
        (1, 2, 3, 4),
    ),
]
