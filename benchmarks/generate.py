"""Make a synthetic knowledge base as the interchange files a lab would have.

    python -m benchmarks.generate OUT_DIR [--scale 1.0] [--seed 7]

At scale 1: 10,000 concepts with a behavioral and a mechanistic definition each, 20 methods,
1,000 sources, 1,000,000 runs and 100,000 claims citing 1-10 runs (now and then an earlier
claim) each. `--scale` multiplies every count (methods stay between 2 and 20). Files:
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

        return cls(sources=n(1_000, 3), methods=min(20, n(20, 2)), concepts=n(10_000, 3),
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
             "criteria": [{"method": rng.choice(behavioral), "op": ">=", "threshold": round(rng.random(), 2)}]},
            {"key": "mechanistic", "kind": "mechanistic", "text": _phrase(rng, 20), "source": rng.choice(sources),
             "criteria": [{"method": rng.choice(mechanistic), "op": ">=", "threshold": round(rng.random(), 2)}]},
        ]
        records.append(concept)
    _dump_yaml(out / "concepts.yaml", {"kb": 1, "concepts": records})

    methods = behavioral + mechanistic
    with (out / "runs.jsonl").open("w", encoding="utf-8") as handle:
        for i in range(1, sizes.runs + 1):
            layer, head = rng.randrange(12), rng.randrange(12)
            run: dict[str, Any] = {
                "key": f"run-{i:07d}",
                "method": rng.choice(methods),
                "subject": f"{rng.choice(MODELS)}/L{layer}H{head}",
                "value": round(rng.random(), 4),
                "dataset": rng.choice(DATASETS),
                "params": {"layer": layer, "head": head, "checkpoint": rng.randrange(0, 100_000, 1000)},
            }
            if rng.random() < 0.1:
                run["source"] = rng.choice(sources)
            handle.write(json.dumps(run) + "\n")

    kinds = ("behavioral", "mechanistic", None)
    with (out / "claims.jsonl").open("w", encoding="utf-8") as handle:
        for i in range(1, sizes.claims + 1):
            concept = rng.choice(concepts)
            evidence: list[dict[str, Any]] = []
            for _ in range(rng.randint(1, 10)):
                link: dict[str, Any] = (
                    {"claim": f"claim-{rng.randrange(1, i):06d}"} if i > 1 and rng.random() < 0.05
                    else {"run": f"run-{rng.randrange(1, sizes.runs + 1):07d}"}
                )
                link["stance"] = "supports" if rng.random() < 0.85 else "contradicts"
                evidence.append(link)
            claim: dict[str, Any] = {
                "key": f"claim-{i:06d}",
                "source": rng.choice(sources),
                "concept": concept,
                "text": f"{concept} is shown by {_phrase(rng, 8)}.",
                "subject": f"{rng.choice(MODELS)}/L{rng.randrange(12)}H{rng.randrange(12)}",
                "evidence": evidence,
            }
            stated = rng.choice(kinds)
            if stated:
                claim["stated_kind"] = stated
            if rng.random() < 0.5:
                claim["definition"] = f"{concept}/{rng.choice(('behavioral', 'mechanistic'))}"
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
