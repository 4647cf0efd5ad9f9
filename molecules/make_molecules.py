#!/usr/bin/env python3
"""Builds the example input molecules in molecules/ with RDKit.

    python3 molecules/make_molecules.py

Each molecule: SMILES -> AddHs -> ETKDGv3 (fixed randomSeed) ->
MMFFOptimizeMolecule, written as V2000 SDF with explicit hydrogens, 3D
coordinates and Kekule bonds; the title is the molecule name. Also writes
molecules/README.md with atom and rotor counts (rotor rule from
tests/data/make_fixtures.py).
"""
import os
import sys

from rdkit import Chem, rdBase
from rdkit.Chem import AllChem

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "data"))
from make_fixtures import find_rotors, read_raw  # noqa: E402

SEED = 0xC0FFEE
SOURCE = "RDKit ETKDGv3 + MMFF94"

# file -> [(name, smiles, description)]
FILES = {
    "butane.sdf": [("butane", "CCCC", "butane")],
    "charged_drug.sdf": [
        ("propranolol_H+", "CC(C)[NH2+]C[C@H](O)COc1cccc2ccccc12",
         "(S)-propranolol, protonated secondary amine, net charge +1")],
    "heteroaromatic_5rotors.sdf": [
        ("imatinib", "Cc1ccc(NC(=O)c2ccc(CN3CCN(C)CC3)cc2)cc1Nc1nccc(-c2cccnc2)n1",
         "pyridine, pyrimidine and piperazine rings, neutral")],
    "alanine_dipeptide.sdf": [
        ("alanine_dipeptide", "CC(=O)N[C@@H](C)C(=O)NC",
         "capped Ace-Ala-NMe")],
    "flexible_8rotors.sdf": [
        ("verapamil", "COc1ccc(CCN(C)CCC[C@](C#N)(C(C)C)c2ccc(OC)c(OC)c2)cc1OC",
         "(S)-verapamil, neutral tertiary amine")],
    "multi.sdf": [
        ("aspirin", "CC(=O)Oc1ccccc1C(=O)O", "aspirin"),
        ("ibuprofen", "CC(C)Cc1ccc(cc1)[C@H](C)C(=O)O", "(S)-ibuprofen"),
        ("caffeine", "Cn1cnc2c1c(=O)n(C)c(=O)n2C", "caffeine"),
        ("paracetamol", "CC(=O)Nc1ccc(O)cc1", "paracetamol"),
        ("nicotine", "CN1CCC[C@H]1c1cccnc1", "(S)-nicotine"),
    ],
}


def build(name, smiles):
    mol = Chem.AddHs(Chem.MolFromSmiles(smiles))
    params = AllChem.ETKDGv3()
    params.randomSeed = SEED
    if AllChem.EmbedMolecule(mol, params) != 0:
        raise RuntimeError(f"embedding failed for {name}")
    if AllChem.MMFFOptimizeMolecule(mol, maxIters=5000) != 0:
        raise RuntimeError(f"MMFF did not converge for {name}")
    mol.SetProp("_Name", name)
    mol.SetProp("smiles", Chem.MolToSmiles(Chem.RemoveHs(mol)))
    mol.SetProp("source", SOURCE)
    mol.SetProp("embed_seed", str(SEED))
    mol.SetProp("rdkit_version", rdBase.rdkitVersion)
    return mol


def main():
    rows = []
    for fname, entries in FILES.items():
        path = os.path.join(HERE, fname)
        writer = Chem.SDWriter(path)
        writer.SetKekulize(True)
        mols = [build(name, smi) for name, smi, _ in entries]
        for mol in mols:
            writer.write(mol)
        writer.close()
        with open(path) as f:
            blocks = [b for b in f.read().split("$$$$") if b.strip()]
        for (name, _, what), mol, block in zip(entries, mols, blocks):
            rotors, _ = find_rotors(read_raw(block.lstrip("\n")))
            amide, _ = find_rotors(read_raw(block.lstrip("\n")), rotate_amides=True)
            charge = Chem.GetFormalCharge(mol)
            label = name if what == name else f"{name}: {what}"
            rows.append(f"| `{fname}` | {label} | `{mol.GetProp('smiles')}` | "
                        f"{mol.GetNumAtoms()} | {charge:+d} | {len(rotors)} | {len(amide)} |")
            print(rows[-1])
    readme = [
        "# Example molecules",
        "",
        "3D structures with explicit hydrogens for trying out and testing `conformers`.",
        f"All made with {SOURCE} (RDKit {rdBase.rdkitVersion}, ETKDGv3 randomSeed "
        f"{SEED:#x}, MMFF94 minimised), written as V2000 SDF with Kekule bonds.",
        "Record title = molecule name; SD tags `smiles`, `source`, `embed_seed`, "
        "`rdkit_version`.",
        "",
        "Rotors are counted with the sampler's rule (single, acyclic, not linear, no",
        "terminal symmetric top, amide-like C-N excluded); the last column counts",
        "them with amide-like bonds included (`--rotate-amides`).",
        "",
        "| file | molecule | SMILES | atoms | charge | rotors | rotors incl. amides |",
        "|---|---|---|---|---|---|---|",
    ] + rows + [
        "",
        "Regenerate (deterministic for a given RDKit version):",
        "",
        "    python3 molecules/make_molecules.py",
        "    python3 tests/data/make_fixtures.py   # rotor JSON and multi.sdf.gz depend on these files",
    ]
    with open(os.path.join(HERE, "README.md"), "w") as f:
        f.write("\n".join(readme) + "\n")


if __name__ == "__main__":
    main()
