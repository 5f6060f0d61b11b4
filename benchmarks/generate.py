"""Make a synthetic knowledge base as the interchange files a lab would have.

    python -m benchmarks.generate OUT_DIR [--scale 1.0] [--seed 7]

At scale 1: 10,000 concepts with a behavioral and a mechanistic definition each, 20 methods,
1,000 sources, 1,000,000 runs and 100,000 claims citing 1-10 runs (now and then an earlier
claim) each. A claim's runs are about its subject, one of them measured with the method its
definition names; a few claims state the other kind than their text and definition, or none,
so an audit finds something on some claims, as on real data. `--scale` multiplies every count but the methods'. Files:
`sources.yaml`, `methods.yaml`, `concepts.yaml`, `runs.jsonl`, `claims.jsonl`. The same seed
gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MODELS = ("gpt2-small", "pythia-160m", "pythia-410m", "attn-only-2l")
# Bump when the generated data changes, so that benchmark runs do not reuse stale files.
VERSION = 2

DATASETS = ("owt-10k", "pile-val-5k", "ioi-prompts", "repeated-tokens")
DOMAINS = ("interpretability", "alignment", "learning-dynamics", "capabilities")
WORDS = (
    "induction copying attention head circuit feature superposition probe steering memorisation "
    "generalisation grokking curvature monosemantic polysemantic residual stream neuron layer "
    "suppression inhibition composition retrieval name mover backup gating routing sparse"
).split()


@dataclass(frozen=True)
class Sizes:
    sources: int
    methods: int
    concepts: int
    runs: int
    claims: int

    @classmethod
    def at(cls, scale: float) -> Sizes:
        def n(full: int, least: int = 1) -> int:
            return max(least, round(full * scale))

        return cls(sources=n(1_000, 3), methods=20, concepts=n(10_000, 3),
                   runs=n(1_000_000, 10), claims=n(100_000, 5))


def _dump_yaml(path: Path, data: dict[str, Any]) -> None:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)


def _phrase(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def method_keys(sizes: Sizes) -> tuple[list[str], list[str]]:
    half = max(1, sizes.methods // 2)
    behavioral = [f"behavioral-score-{i:02d}" for i in range(1, half + 1)]
    mechanistic = [f"mechanistic-probe-{i:02d}" for i in range(1, sizes.methods - half + 1)]
    return behavioral, mechanistic


def generate(out: Path, scale: float = 1.0, seed: int = 7) -> Sizes:
    sizes = Sizes.at(scale)
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)

    sources = [f"src-{i:05d}" for i in range(1, sizes.sources + 1)]
    _dump_yaml(out / "sources.yaml", {"kb": 1, "sources": [
        {
            "key": key,
            "title": _phrase(rng, 6).capitalize(),
            "authors": [f"Author {rng.randrange(5000)}" for _ in range(rng.randint(1, 4))],
            "year": rng.randint(2015, 2025),
            **({"arxiv": f"{rng.randint(2001, 2412)}.{rng.randrange(100000):05d}"} if rng.random() < 0.7 else {}),
        }
        for key in sources
    ]})

    behavioral, mechanistic = method_keys(sizes)
    _dump_yaml(out / "methods.yaml", {"kb": 1, "methods": [
        {"key": key, "name": key.replace("-", " ").capitalize(), "kind": kind,
         "description": f"A synthetic {kind} measurement."}
        for kinds, kind in ((behavioral, "behavioral"), (mechanistic, "mechanistic"))
        for key in kinds
    ]})

    concepts = [f"concept-{i:05d}" for i in range(1, sizes.concepts + 1)]
    records = []
    for i, key in enumerate(concepts):
        concept: dict[str, Any] = {"key": key, "name": _phrase(rng, 3).capitalize() + f" {i + 1}",
                                   "domain": rng.choice(DOMAINS), "summary": _phrase(rng, 12)}
        if i and rng.random() < 0.3:
            concept["relations"] = [{"type": "broader", "target": concepts[rng.randrange(i)]}]
        concept["definitions"] = [
            {"key": "behavioral", "kind": "behavioral", "text": _phrase(rng, 15), "source": rng.choice(sources),
             "criteria": [{"method": rng.choice(behavioral), "op": ">=", "threshold": round(rng.uniform(0, 0.35), 2)}]},
            {"key": "mechanistic", "kind": "mechanistic", "text": _phrase(rng, 20), "source": rng.choice(sources),
             "criteria": [{"method": rng.choice(mechanistic), "op": ">=", "threshold": round(rng.uniform(0, 0.35), 2)}]},
        ]
        records.append(concept)
    _dump_yaml(out / "concepts.yaml", {"kb": 1, "concepts": records})

    # Run i is about subject i % S and measured with method (i // S) % M, so a claim can cite
    # runs about its own subject, measured with its definition's method, without a run index.
    methods = behavioral + mechanistic
    subjects = [(model, layer, head) for model in MODELS for layer in range(12) for head in range(12)]
    with (out / "runs.jsonl").open("w", encoding="utf-8") as handle:
        for i in range(sizes.runs):
            model, layer, head = subjects[i % len(subjects)]
            run: dict[str, Any] = {
                "key": f"run-{i + 1:07d}",
                "method": methods[(i // len(subjects)) % len(methods)],
                "subject": f"{model}/L{layer}H{head}",
                "value": round(rng.uniform(0.3, 1.0), 4),
                "dataset": rng.choice(DATASETS),
                "params": {"layer": layer, "head": head, "checkpoint": rng.randrange(0, 100_000, 1000)},
            }
            if rng.random() < 0.1:
                run["source"] = rng.choice(sources)
            handle.write(json.dumps(run) + "\n")

    def run_about(subject: int, method: int) -> str:
        """A run about this subject measured with this method (any run when the scale is tiny)."""
        stride = len(subjects) * len(methods)
        first = subject + len(subjects) * method
        rounds = (sizes.runs - 1 - first) // stride + 1 if first < sizes.runs else 0
        index = first + stride * rng.randrange(rounds) if rounds > 0 else rng.randrange(sizes.runs)
        return f"run-{index + 1:07d}"

    criterion_method = {}  # (concept, definition key) -> index of its criterion's method
    for concept in records:
        for definition in concept["definitions"]:
            criterion_method[(concept["key"], definition["key"])] = methods.index(definition["criteria"][0]["method"])
    texts = {
        "behavioral": "{name} scores highly on {subject} in {dataset}.",
        "mechanistic": "{name} is implemented by a circuit in {subject}.",
    }
    with (out / "claims.jsonl").open("w", encoding="utf-8") as handle:
        for i in range(1, sizes.claims + 1):
            concept = rng.choice(records)
            subject = rng.randrange(len(subjects))
            model, layer, head = subjects[subject]
            # Most claims name the definition they use and state its kind; a few state the other
            # kind, a few state nothing: the mistakes an audit is there to find.
            kind = rng.choice(("behavioral", "mechanistic"))
            claim: dict[str, Any] = {
                "key": f"claim-{i:06d}",
                "source": rng.choice(sources),
                "concept": concept["key"],
                "text": texts[kind].format(name=concept["name"], subject=f"{model}/L{layer}H{head}",
                                           dataset=rng.choice(DATASETS)),
                "subject": f"{model}/L{layer}H{head}",
            }
            roll = rng.random()
            if roll < 0.9:
                claim["stated_kind"] = kind if roll < 0.86 else ("mechanistic" if kind == "behavioral" else "behavioral")
            if rng.random() < 0.6:
                claim["definition"] = f"{concept['key']}/{kind}"
            own_method = criterion_method[(concept["key"], kind)]
            evidence: list[dict[str, Any]] = [{"run": run_about(subject, own_method), "stance": "supports"}]
            for _ in range(rng.randint(0, 9)):
                if i > 1 and rng.random() < 0.05:
                    link: dict[str, Any] = {"claim": f"claim-{rng.randrange(1, i):06d}"}
                else:
                    link = {"run": run_about(subject, rng.randrange(len(methods)))}
                link["stance"] = "supports" if rng.random() < 0.95 else "contradicts"
                evidence.append(link)
            claim["evidence"] = evidence
            handle.write(json.dumps(claim) + "\n")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the files into")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every count (default 1.0)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    sizes = generate(args.out, args.scale, args.seed)
    print(f"wrote {args.out}: {sizes} in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
