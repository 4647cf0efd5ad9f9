#!/usr/bin/env python3
"""RDKit MMFF94 speed reference for the `mmff` benchmark.

For each molecule of the given SDF files (default: benches/data/*.sdf) the
script builds RDKit's MMFF94 force field the same way the project's
reference data are made,

    props = AllChem.MMFFGetMoleculeProperties(mol)          # MMFF94
    ff = AllChem.MMFFGetMoleculeForceField(
        mol, props, nonBondedThresh=100.0, ignoreInterfragInteractions=False)

and measures, single threaded, with time.perf_counter:

  * setup      MMFFGetMoleculeProperties + MMFFGetMoleculeForceField
  * energy     ff.CalcEnergy() at the input geometry
  * gradient   ff.CalcGrad() at the input geometry (gradient only; RDKit
               computes it without the energy, and the Python binding
               returns a tuple of 3N floats)
  * minimise   ff.Minimize(maxIts=100000), repeated until it returns 0,
               from the input geometry (force-field construction excluded)
  * optimise   the same plus force-field construction, i.e. what
               MMFFOptimizeMolecule costs a user

Per-call timings are the median over --repeats loops of N calls, N chosen so
one loop takes about --target seconds. Minimisation timings are the median
over --min-repeats runs, each from the input geometry with a fresh force
field. The "python call" column times ff.Dimension(), a call that does no
work, as an estimate of the binding overhead included in every per-call
number.

With --minimize-set FILE.sdf the full minimisation of every molecule of that
file is timed as well (median of --set-repeats runs each), and the median and
total over the file are printed.

Usage:

    python3 benches/rdkit_reference.py [SDF ...] [--minimize-set FILE.sdf]
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

import rdkit
from rdkit import Chem
from rdkit.Chem import AllChem

HERE = Path(__file__).resolve().parent
MAX_ITS = 100000
MAX_CALLS = 20
NONBONDED_THRESH = 100.0


def build_force_field(mol):
    props = AllChem.MMFFGetMoleculeProperties(mol, mmffVariant="MMFF94")
    if props is None:
        raise ValueError("RDKit cannot assign MMFF94 parameters")
    ff = AllChem.MMFFGetMoleculeForceField(
        mol,
        props,
        nonBondedThresh=NONBONDED_THRESH,
        ignoreInterfragInteractions=False,
    )
    if ff is None:
        raise ValueError("RDKit could not build the MMFF94 force field")
    return ff


def minimize(ff):
    """Minimize until converged (status 0) or MAX_CALLS calls; (status, calls)."""
    status, calls = 1, 0
    while status != 0 and calls < MAX_CALLS:
        status = ff.Minimize(maxIts=MAX_ITS)
        calls += 1
    return status, calls


def loop_time(fn, n):
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return time.perf_counter() - t0


def per_call(fn, repeats, target):
    """Median seconds per call of fn over `repeats` loops of ~target seconds."""
    n = 1
    while True:
        t = loop_time(fn, n)
        if t >= target / 10:
            break
        n *= 4
    n = max(1, int(round(n * target / t)))
    loop_time(fn, n)  # warm-up at the final size
    return statistics.median(loop_time(fn, n) for _ in range(repeats)) / n, n


def time_setup(mol, repeats):
    times = []
    for _ in range(repeats):
        work = Chem.Mol(mol)
        t0 = time.perf_counter()
        build_force_field(work)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def time_minimize(mol, repeats, include_setup=False):
    """Median wall time of a full minimisation from the input geometry.

    Returns (seconds, status, Minimize calls, (force field, molecule)); the
    molecule is returned with the force field because the force field holds
    pointers into its conformer.
    """
    times = []
    status = calls = None
    for _ in range(repeats):
        work = Chem.Mol(mol)
        t0 = time.perf_counter()
        ff = build_force_field(work)
        t1 = time.perf_counter()
        status, calls = minimize(ff)
        t2 = time.perf_counter()
        times.append(t2 - t0 if include_setup else t2 - t1)
    return statistics.median(times), status, calls, (ff, work)


def read_sdf(path):
    mols = []
    for index, mol in enumerate(Chem.SDMolSupplier(str(path), removeHs=False)):
        if mol is None:
            sys.exit(f"{path}: record {index} could not be read")
        name = mol.GetProp("_Name") if mol.HasProp("_Name") else ""
        mols.append((name or f"{Path(path).stem}#{index}", mol))
    return mols


def fmt_time(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} us"
    if seconds < 1.0:
        return f"{seconds * 1e3:.3f} ms"
    return f"{seconds:.3f} s"


def fmt_rate(seconds):
    return f"{1.0 / seconds:,.0f}/s"


def bench_molecules(paths, args):
    rows = []
    for path in paths:
        for name, mol in read_sdf(path):
            work = Chem.Mol(mol)  # the force field points into its conformer
            ff = build_force_field(work)
            e0 = ff.CalcEnergy()
            t_noop, _ = per_call(ff.Dimension, args.repeats, args.target)
            t_energy, n_energy = per_call(ff.CalcEnergy, args.repeats, args.target)
            t_grad, n_grad = per_call(ff.CalcGrad, args.repeats, args.target)
            t_setup = time_setup(mol, args.min_repeats)
            t_min, status, calls, (ff_min, _mol_min) = time_minimize(mol, args.min_repeats)
            t_opt, _, _, _ = time_minimize(mol, args.min_repeats, include_setup=True)
            grad = ff_min.CalcGrad()
            rows.append(
                {
                    "name": name,
                    "atoms": mol.GetNumAtoms(),
                    "start_energy": e0,
                    "energy": ff_min.CalcEnergy(),
                    "converged": status == 0,
                    "minimize_calls": calls,
                    "grad_rms": math.sqrt(sum(g * g for g in grad) / len(grad)),
                    "python_call_s": t_noop,
                    "energy_s": t_energy,
                    "energy_loop_n": n_energy,
                    "gradient_s": t_grad,
                    "gradient_loop_n": n_grad,
                    "setup_s": t_setup,
                    "minimize_s": t_min,
                    "optimize_s": t_opt,
                }
            )
    return rows


def print_table(rows):
    head = (
        f"{'molecule':<18} {'atoms':>5} | {'energy':>10} {'calls':>11} | "
        f"{'gradient':>10} {'calls':>11} | {'python call':>11} | "
        f"{'setup':>10} {'minimise':>10} {'optimise':>10} | {'E start':>10} "
        f"{'E min':>10} conv"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['name']:<18} {r['atoms']:>5} | "
            f"{fmt_time(r['energy_s']):>10} {fmt_rate(r['energy_s']):>11} | "
            f"{fmt_time(r['gradient_s']):>10} {fmt_rate(r['gradient_s']):>11} | "
            f"{fmt_time(r['python_call_s']):>11} | "
            f"{fmt_time(r['setup_s']):>10} {fmt_time(r['minimize_s']):>10} "
            f"{fmt_time(r['optimize_s']):>10} | "
            f"{r['start_energy']:>10.4f} {r['energy']:>10.4f} "
            f"{'yes' if r['converged'] else 'NO'}"
        )


def minimize_set(path, args):
    per_mol = []
    for name, mol in read_sdf(path):
        t, status, calls, (ff, _work) = time_minimize(mol, args.set_repeats)
        grad = ff.CalcGrad()
        per_mol.append(
            {
                "name": name,
                "atoms": mol.GetNumAtoms(),
                "minimize_s": t,
                "converged": status == 0,
                "minimize_calls": calls,
                "energy": ff.CalcEnergy(),
                "grad_rms": math.sqrt(sum(g * g for g in grad) / len(grad)),
            }
        )
        if args.verbose:
            print(
                f"  {name:<20} {mol.GetNumAtoms():>4} atoms  {fmt_time(t):>10}  "
                f"calls {calls}  {'converged' if status == 0 else 'NOT CONVERGED'}"
            )
    times = [m["minimize_s"] for m in per_mol]
    unconverged = [m["name"] for m in per_mol if not m["converged"]]
    print(
        f"\nminimisation of {path}: {len(per_mol)} molecules, "
        f"median of {args.set_repeats} runs each (setup excluded)"
    )
    print(
        f"  median {fmt_time(statistics.median(times))}, "
        f"mean {fmt_time(statistics.fmean(times))}, "
        f"min {fmt_time(min(times))}, max {fmt_time(max(times))}, "
        f"total {fmt_time(sum(times))}"
    )
    print(
        f"  converged {len(per_mol) - len(unconverged)}/{len(per_mol)}"
        + (f" (not: {', '.join(unconverged)})" if unconverged else "")
    )
    return {
        "file": str(path),
        "repeats": args.set_repeats,
        "median_s": statistics.median(times),
        "total_s": sum(times),
        "molecules": per_mol,
    }


def main():
    ap = argparse.ArgumentParser(
        description="RDKit MMFF94 timings (energy, gradient, minimisation)."
    )
    ap.add_argument(
        "sdf",
        nargs="*",
        type=Path,
        help="SDF files to benchmark (default: benches/data/*.sdf)",
    )
    ap.add_argument("--repeats", type=int, default=7, help="loops per per-call timing")
    ap.add_argument(
        "--target", type=float, default=0.2, help="seconds per loop of calls"
    )
    ap.add_argument(
        "--min-repeats", type=int, default=7, help="runs per minimisation timing"
    )
    ap.add_argument("--minimize-set", type=Path, metavar="FILE.sdf")
    ap.add_argument(
        "--set-repeats", type=int, default=3, help="runs per molecule of --minimize-set"
    )
    ap.add_argument(
        "--skip-molecules",
        action="store_true",
        help="only run --minimize-set, not the per-molecule table",
    )
    ap.add_argument("--json", type=Path, help="also write the numbers to this file")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    paths = args.sdf or sorted((HERE / "data").glob("*.sdf"))
    print(f"RDKit {rdkit.__version__}, MMFF94, nonBondedThresh {NONBONDED_THRESH}, "
          "interfragment terms on, single thread", flush=True)

    result = {"rdkit": rdkit.__version__}
    if not args.skip_molecules:
        rows = bench_molecules(paths, args)
        rows.sort(key=lambda r: r["atoms"])
        print(
            f"per call: median of {args.repeats} loops of ~{args.target} s; "
            f"minimisation: median of {args.min_repeats} runs from the input geometry\n"
        )
        print_table(rows)
        print(
            "\nsetup = MMFFGetMoleculeProperties + MMFFGetMoleculeForceField; "
            "minimise = Minimize(maxIts=100000) until converged;\n"
            "optimise = setup + minimise (MMFFOptimizeMolecule-style); "
            "python call = ff.Dimension(), binding overhead per call"
        )
        result["molecules"] = rows
    if args.minimize_set:
        result["minimize_set"] = minimize_set(args.minimize_set, args)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
