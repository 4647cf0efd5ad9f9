#!/usr/bin/env python3
"""RDKit MMFF94 minima of the development set, started from the SDF geometry.

Writes tests/data/dev_rdkit_minima.json: one entry per record (file order)
with the name, RDKit's energy at the start and after minimisation (constant
dielectric 1, interfragment terms on, BFGS until converged) and the RMS
gradient left. Run from the project root with RDKit installed:

    python3 tests/data/make_rdkit_minima.py
"""

import json
import math
import sys

from rdkit import Chem
from rdkit.Chem import AllChem

SDF = "../shared/forcefield-reference/dev/mmff94_dev.sdf"
OUT = "tests/data/dev_rdkit_minima.json"


def main():
    records = []
    for mol in Chem.SDMolSupplier(SDF, removeHs=False):
        props = AllChem.MMFFGetMoleculeProperties(mol)
        ff = AllChem.MMFFGetMoleculeForceField(
            mol, props, nonBondedThresh=100.0, ignoreInterfragInteractions=False
        )
        start = ff.CalcEnergy()
        calls, status = 0, 1
        while status != 0 and calls < 50:
            status = ff.Minimize(maxIts=100000)
            calls += 1
        grad = ff.CalcGrad()
        records.append(
            {
                "name": mol.GetProp("_Name"),
                "start_energy": round(start, 6),
                "energy": round(ff.CalcEnergy(), 6),
                "converged": status == 0,
                "grad_rms": round(math.sqrt(sum(g * g for g in grad) / len(grad)), 6),
            }
        )
    with open(OUT, "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(r) for r in records) + "\n]\n")
    print(f"{len(records)} molecules, {sum(r['converged'] for r in records)} converged", file=sys.stderr)


if __name__ == "__main__":
    main()
