"""Minima-recall sets beyond the development one, and how many minima a
molecule holds.

  python3 docs/minima_sets.py build OUT [--seed 20261207] [--per-bin 4]
      A set in `eval_minima.py`'s layout (OUT/manifest.json, inputs/,
      reference/) from the SMILES set's ligands: no macrocycle, at most 34
      heavy atoms and rings of at most 8, 3-11 strict rotatable bonds, drawn
      at random (--seed) --per-bin from each bin of 3-4, 5-6, 7-8 and 9-11
      rotors. Input: ETKDGv3 (seed 1) + MMFF94. Reference: as the
      development set's, ETKDGv3 (seed 0xf00d), 300 embeddings, MMFF94
      (maxIters 5000), 10 kcal/mol window, 0.5 A pruning from the lowest;
      its CPU time goes into the manifest. Then
      `python3 ../shared/eval-dev/eval_minima.py --set OUT ...`.

  python3 docs/minima_sets.py rdkit SET NAME OUT.sdf [--seed 7]
      RDKit-300 minima of one molecule of a set as its references are built,
      with another seed.

  python3 docs/minima_sets.py overlap SET NAME A.sdf B.sdf
      Minima in one energy band (up to the reference's lowest + 3 kcal/mol,
      the band the scorer's "<= 3" cover counts) that two runs share within
      0.1 A (the same minimum, heavy atoms, the scorer's RMSD), and the
      Lincoln-Petersen estimate n_a * n_b / shared of how many minima the
      band holds. Each file holds minimised conformers with an ENERGY tag
      (RDKit's MMFF94 energy, as `gen` writes and the references hold).
      Runs that favour the same basins share more than independent draws
      would, so the estimate is a lower bound.
"""
import argparse
import csv
import json
import os
import random
import sys
import time

import numpy as np

EVAL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "eval-dev")
sys.path.insert(0, EVAL)
import eval_minima as em  # noqa: E402
from rdkit import Chem  # noqa: E402
from rdkit.Chem import AllChem, rdMolDescriptors  # noqa: E402


def strict_rotors(mol):
    opts = rdMolDescriptors.NumRotatableBondsOptions.Strict
    return rdMolDescriptors.CalcNumRotatableBonds(mol, opts)


def reference_minima(mol, seed=0xF00D):
    """RDKit-300 minima as the development set's references are built, with the CPU seconds."""
    t0 = time.process_time()
    params = AllChem.ETKDGv3()
    params.randomSeed = seed
    params.numThreads = 1
    ids = list(AllChem.EmbedMultipleConfs(mol, numConfs=300, params=params))
    res = AllChem.MMFFOptimizeMoleculeConfs(mol, numThreads=1, maxIters=5000)
    energies = np.array([e for _, e in res])
    pos = np.array([mol.GetConformer(i).GetPositions() for i in ids])
    order = np.argsort(energies, kind="stable")
    energies, pos = energies[order], pos[order]
    heavy, maps = em.heavy_atom_maps(mol)
    keep = []
    for i in range(len(energies)):
        if energies[i] - energies[0] > 10.0:
            break
        if keep and em.rmsd_matrix(pos[i:i + 1, heavy], pos[keep][:, heavy], maps)[0].min() < 0.5:
            continue
        keep.append(i)
    return pos[keep], energies[keep], time.process_time() - t0


def write(mol, pos, energies, path):
    writer = Chem.SDWriter(path)
    for p, e in zip(pos, energies):
        m = Chem.Mol(mol)
        m.RemoveAllConformers()
        conf = Chem.Conformer(m.GetNumAtoms())
        for a, xyz in enumerate(p):
            conf.SetAtomPosition(a, xyz.tolist())
        m.AddConformer(conf, assignId=True)
        m.SetProp("ENERGY", "%.6f" % e)
        writer.write(m)
    writer.close()


def build(args):
    ligands = os.path.join(EVAL, "smiles", "ligands.csv")
    bins = {}
    for row in csv.DictReader(open(ligands)):
        if row["macrocycle"] == "1" or int(row["heavy_atoms"]) > 34 or int(row["max_ring"] or 0) > 8:
            continue
        mol = Chem.MolFromSmiles(row["smiles"])
        rotors = strict_rotors(mol) if mol is not None else 0
        if 3 <= rotors <= 11:
            bins.setdefault(min((rotors - 3) // 2, 3), []).append((row["id"], row["smiles"], rotors))
    random.seed(args.seed)
    picked = [c for b in sorted(bins) for c in random.sample(bins[b], min(args.per_bin, len(bins[b])))]
    for sub in ("inputs", "reference"):
        os.makedirs(os.path.join(args.out, sub), exist_ok=True)
    molecules = []
    for name, smiles, rotors in picked:
        mol = Chem.AddHs(Chem.MolFromSmiles(smiles))
        params = AllChem.ETKDGv3()
        params.randomSeed = 1
        AllChem.EmbedMolecule(mol, params)
        AllChem.MMFFOptimizeMolecule(mol, maxIters=5000)
        input_path = os.path.join("inputs", name + ".sdf")
        Chem.MolToMolFile(mol, os.path.join(args.out, input_path))
        mol = Chem.MolFromMolFile(os.path.join(args.out, input_path), removeHs=False)
        pos, energies, cpu = reference_minima(mol)
        reference_path = os.path.join("reference", name + ".minima.sdf")
        write(mol, pos, energies, os.path.join(args.out, reference_path))
        print(f"{name} rotors {rotors} minima {len(energies)} (<= 3: {int(np.sum(energies - energies[0] <= 3))}) "
              f"{cpu:.1f} CPU-s", flush=True)
        molecules.append({"name": name, "smiles": smiles, "num_rotors": rotors, "input": input_path,
                          "reference": reference_path, "rdkit_time_s": {"n300": cpu}})
    manifest = {"set": "minima-recall", "split": "from-smiles-set", "seed": args.seed, "molecules": molecules}
    json.dump(manifest, open(os.path.join(args.out, "manifest.json"), "w"), indent=1)


def read(path):
    mols = [m for m in Chem.SDMolSupplier(path, removeHs=False, sanitize=False)]
    return np.array([m.GetConformer().GetPositions() for m in mols]), np.array(
        [float(m.GetProp("ENERGY")) for m in mols])


def entry_and_input(args):
    manifest = json.load(open(os.path.join(args.set, "manifest.json")))
    entry = next(e for e in manifest["molecules"] if e["name"] == args.name)
    return entry, Chem.MolFromMolFile(os.path.join(args.set, entry["input"]), removeHs=False)


def rdkit(args):
    _, mol = entry_and_input(args)
    pos, energies, cpu = reference_minima(mol, args.seed)
    write(mol, pos, energies, args.out)
    print(f"{args.name}: {len(energies)} minima, {cpu:.1f} CPU-s")


def overlap(args):
    entry, mol = entry_and_input(args)
    _, ref_e = read(os.path.join(args.set, entry["reference"]))
    top = ref_e.min() + 3.0
    (pa, ea), (pb, eb) = read(args.a), read(args.b)
    pa, pb = pa[ea <= top], pb[eb <= top]
    heavy, maps = em.heavy_atom_maps(mol)
    shared = int(np.sum(em.rmsd_matrix(pa[:, heavy], pb[:, heavy], maps).min(axis=1) < 0.1))
    estimate = len(pa) * len(pb) / shared if shared else float("inf")
    print(f"{args.name}: band to {top:.2f} kcal/mol: {len(pa)} and {len(pb)} minima, "
          f"{shared} shared, about {estimate:.0f} in the band")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("out")
    b.add_argument("--seed", type=int, default=20261207)
    b.add_argument("--per-bin", type=int, default=4)
    r = sub.add_parser("rdkit")
    for arg in ("set", "name", "out"):
        r.add_argument(arg)
    r.add_argument("--seed", type=int, default=7)
    o = sub.add_parser("overlap")
    for arg in ("set", "name", "a", "b"):
        o.add_argument(arg)
    args = ap.parse_args()
    {"build": build, "rdkit": rdkit, "overlap": overlap}[args.command](args)


if __name__ == "__main__":
    main()
