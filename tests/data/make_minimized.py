#!/usr/bin/env python3
"""RDKit MMFF94 minimisation of the development set, with timings.

For every record of the development SDF (file order, hydrogens kept, atom
order unchanged) the molecule is minimised from its SDF geometry the way an
RDKit user would do it:

    props = AllChem.MMFFGetMoleculeProperties(mol)          # MMFF94
    ff = AllChem.MMFFGetMoleculeForceField(
        mol, props, nonBondedThresh=100.0, ignoreInterfragInteractions=False)
    ff.Minimize(maxIts=100000)   # repeated until it returns 0, at most 20 calls

and one JSON object is written per molecule to tests/data/dev_minimized.json:

    name              SDF title
    start_energy      ff.CalcEnergy() at the SDF geometry (kcal/mol)
    energy            ff.CalcEnergy() after minimisation (kcal/mol)
    converged         true when the last Minimize call returned 0
    grad_rms          sqrt(sum(g_i^2) / 3N) over ff.CalcGrad() after
                      minimisation (kcal/mol/A)
    iterations_calls  number of Minimize calls made
    coords            minimised Cartesian coordinates, [[x, y, z], ...] (A),
                      rounded to 6 decimals
    rdkit_seconds     wall time of the Minimize calls alone (force-field
                      construction excluded), median of 3 runs, each from the
                      SDF geometry with a freshly built force field

Everything except rdkit_seconds is deterministic. RDKit runs single threaded
here (Minimize has no parallel code path; the thread-count environment
variables are pinned to 1 regardless).

Usage (from anywhere, RDKit installed):

    python3 tests/data/make_minimized.py [--sdf PATH] [--out PATH] [--repeats 3]
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
DEFAULT_SDF = (
    HERE.parents[2] / "shared" / "forcefield-reference" / "dev" / "mmff94_dev.sdf"
)
DEFAULT_OUT = HERE / "dev_minimized.json"

MAX_ITS = 100000
MAX_CALLS = 20
NONBONDED_THRESH = 100.0


def build_force_field(mol):
    """MMFF94 force field over the molecule's first conformer."""
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
    """Call Minimize until it reports convergence (0) or MAX_CALLS is hit.

    Returns (last status, number of calls).
    """
    status, calls = 1, 0
    while status != 0 and calls < MAX_CALLS:
        status = ff.Minimize(maxIts=MAX_ITS)
        calls += 1
    return status, calls


def grad_rms(ff):
    grad = ff.CalcGrad()
    return math.sqrt(sum(g * g for g in grad) / len(grad))


def reference_record(mol):
    """Minimise a copy of mol and describe the result."""
    work = Chem.Mol(mol)
    ff = build_force_field(work)
    start = ff.CalcEnergy()
    status, calls = minimize(ff)
    pos = ff.Positions()
    coords = [
        [round(pos[3 * i + k], 6) + 0.0 for k in range(3)]
        for i in range(work.GetNumAtoms())
    ]
    return {
        "name": mol.GetProp("_Name"),
        "start_energy": start,
        "energy": ff.CalcEnergy(),
        "converged": status == 0,
        "grad_rms": grad_rms(ff),
        "iterations_calls": calls,
        "coords": coords,
    }


def time_minimization(mol, repeats):
    """Median wall time of the Minimize loop, each run from the SDF geometry."""
    times = []
    for _ in range(repeats):
        work = Chem.Mol(mol)
        ff = build_force_field(work)
        t0 = time.perf_counter()
        minimize(ff)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def write_json(records, path):
    """A JSON list with one record per line, for readable diffs."""
    lines = [json.dumps(r, separators=(", ", ": ")) for r in records]
    with open(path, "w") as f:
        f.write("[\n" + ",\n".join(lines) + "\n]\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sdf", type=Path, default=DEFAULT_SDF)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--repeats", type=int, default=3, help="timing runs per molecule")
    args = ap.parse_args()

    records = []
    supplier = Chem.SDMolSupplier(str(args.sdf), removeHs=False)
    for index, mol in enumerate(supplier):
        if mol is None:
            sys.exit(f"record {index} of {args.sdf} could not be read")
        rec = reference_record(mol)
        rec["rdkit_seconds"] = time_minimization(mol, args.repeats)
        for key in ("start_energy", "energy"):
            rec[key] = round(rec[key], 6)
        rec["grad_rms"] = float(f"{rec['grad_rms']:.6g}")
        rec["rdkit_seconds"] = float(f"{rec['rdkit_seconds']:.6g}")
        records.append(rec)

    write_json(records, args.out)

    n = len(records)
    converged = sum(r["converged"] for r in records)
    energies = [r["energy"] for r in records]
    times = [r["rdkit_seconds"] for r in records]
    multi = [r for r in records if r["iterations_calls"] > 1]
    print(f"RDKit {rdkit.__version__}, MMFF94, {n} molecules -> {args.out}")
    print(f"converged: {converged}/{n}")
    for r in records:
        if not r["converged"]:
            print(f"  not converged: {r['name']} (grad_rms {r['grad_rms']:.3g})")
    if multi:
        print(
            "needed more than one Minimize call: "
            + ", ".join(f"{r['name']} ({r['iterations_calls']})" for r in multi)
        )
    print(f"minimised energy: {min(energies):.4f} .. {max(energies):.4f} kcal/mol")
    print(
        "energy drop: "
        f"{min(r['start_energy'] - r['energy'] for r in records):.4f} .. "
        f"{max(r['start_energy'] - r['energy'] for r in records):.4f} kcal/mol"
    )
    print(f"max grad_rms after: {max(r['grad_rms'] for r in records):.3g} kcal/mol/A")
    print(
        f"minimisation time: median {statistics.median(times) * 1e3:.3f} ms, "
        f"min {min(times) * 1e3:.3f} ms, max {max(times) * 1e3:.3f} ms, "
        f"total {sum(times):.3f} s"
    )


if __name__ == "__main__":
    main()
