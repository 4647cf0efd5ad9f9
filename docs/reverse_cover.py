"""Reverse cover of `eval_minima.py` outputs: of our minima within 3 kcal/mol
of the lowest energy (ours or RDKit-300's, whichever is lower), the share that
RDKit-300's reference has within 0.75 A (heavy atoms, symmetry-aware, the
scorer's RMSD). Only minima of the written force field (MINIMUM_OF written)
count. Usage: python3 docs/reverse_cover.py WORKDIR (eval_minima.py --workdir)."""
import json, os, sys
import numpy as np
EVAL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "eval-dev")
sys.path.insert(0, EVAL)
import eval_minima as em  # noqa: E402
from rdkit import Chem  # noqa: E402

setdir = os.path.join(EVAL, "minima")
work = sys.argv[1]
m = json.load(open(os.path.join(setdir, "manifest.json")))
shares, counts, theirs = [], [], []
for e in m["molecules"]:
    name = e["name"]
    out = os.path.join(work, name + ".minima.sdf")
    mol = Chem.MolFromMolFile(os.path.join(setdir, e["input"]), removeHs=False)
    pos, props = em.read_records(out, mol)
    refs = [r for r in Chem.SDMolSupplier(os.path.join(setdir, e["reference"]), removeHs=False)]
    ref_pos = np.array([r.GetConformer().GetPositions() for r in refs])
    ref_e = np.array([float(r.GetProp("ENERGY")) for r in refs])
    ours_e = np.array([float(p["ENERGY"]) for p in props])
    written = np.array([p.get("MINIMUM_OF", "written") == "written" for p in props])
    lowest = min(ours_e.min(), ref_e.min())
    sel = written & (ours_e <= lowest + 3.0)
    heavy_idx, maps = em.heavy_atom_maps(mol)
    D = em.rmsd_matrix(pos[sel][:, heavy_idx], ref_pos[:, heavy_idx], maps)
    found = (D.min(axis=1) <= 0.75) if len(D) else np.array([])
    shares.append(float(found.mean()) if len(found) else float("nan"))
    counts.append(int(sel.sum()))
    theirs.append(int(np.sum(ref_e <= lowest + 3.0)))
    print(f"{name:10s} ours<=3 {sel.sum():4d} rdkit<=3 {theirs[-1]:4d} share found by rdkit {shares[-1]:.2f}")
print(f"mean share {np.nanmean(shares):.3f}  ours {np.mean(counts):.1f}  rdkit {np.mean(theirs):.1f}")
