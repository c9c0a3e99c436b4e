"""Print the MNIST table (reST) from the JSON files train_mnist.py wrote.

Usage: ``python docs/results/mnist/table.py`` (from the repository root).
"""

import glob
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    rows = []
    for path in sorted(glob.glob(os.path.join(HERE, "*.json"))):
        d = json.load(open(path))
        if "log_likelihood" not in d:
            continue
        p = d["params"]
        phase = p.get("method") or p.get("negative_phase")
        if phase == "pt":
            phase = f"PT ({p['n_temperatures']} rungs)"
        name = (
            f"{'BinaryRBM' if d['model'] == 'binary' else 'RARBM'} "
            f"H={p['n_components']}"
            + (f" K={p['n_patterns']}" if d["model"] == "rarbm" else "")
            + f", {phase}"
        )
        if "init_from" in d:  # a fine-tuning stage after the saved PCD-1 run
            k = p.get("n_gibbs_steps", 1)
            name += f"-1 then PCD-{k} at lr {p['learning_rate']:g}"
            if "averaged_epochs" in d:
                name += f", averaged epochs {d['averaged_epochs']}"
            else:
                name += ", last epoch"
        t = d["log_likelihood"]["test"]
        seconds, epochs = d["train_seconds"], str(d["epochs"])
        if "base_train_seconds" in d:  # the whole training: base run + stage
            seconds += d["base_train_seconds"]
            epochs = f"{d['base_epochs']}+{d['epochs'] - d['base_epochs']}"
        rows.append(
            (
                name,
                f"{t['ais']:.2f}",
                f"{t['reverse_ais']:.2f}",
                epochs,
                f"{seconds:.0f}",
                f"{d['median_epoch_seconds']:.1f}",
                f"{d['factorized_baseline']['test']:.2f}",
            )
        )
    head = (
        "model",
        "test AIS",
        "test reverse AIS",
        "epochs",
        "train s",
        "s/epoch",
        "baseline",
    )
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    line = "  ".join("=" * w for w in widths)
    print(line)
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    print(line)
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    print(line)


if __name__ == "__main__":
    main()
