#!/usr/bin/env python3
"""Builds the test fixtures under tests/data/ with RDKit.

Run from anywhere after molecules/make_molecules.py:
    python3 tests/data/make_fixtures.py

Outputs (all deterministic: fixed embedding seeds, gzip mtime 0):
    dev_rotors.json, molecules_rotors.json   rotor reference (rule below)
    stereo.sdf                               CIP labels as SD tags
    v3000.sdf, v3000_as_v2000.sdf            V3000 records and V2000 twins
    aromatic.sdf, aromatic_impossible.sdf    bond type 4 input
    fused_aromatics.sdf (+ .mmff94.jsonl)     large fused aromatics, several
                                             atom orders, RDKit MMFF94 reference
    smiles_cases.json                        SMILES parsing cases: RDKit's atoms,
                                             hydrogens and 3D stereo
    multi.sdf.gz                             gzip of molecules/multi.sdf
    phosphodiester.sdf                       a P(=O)O- centre RDKit labels
    cyclododecanone.sdf                      a 12-membered ring, RDKit-300's lowest
    bad/*.sdf                                one malformed record per file

Rotor rule (same as the sampler's): a bond j-k is a rotor when it is a
single bond in no ring, both ends have another neighbour, neither end is
linear (triple bond, or two neighbours and two double bonds), neither end
is a terminal symmetric top (three other neighbours in one graph symmetry
class), and it is not a C-N bond whose C carries =O or =S (amide-like).
"""
import gzip
import json
import os
import sys

from rdkit import Chem, RDLogger
from rdkit.Chem import AllChem, rdCIPLabeler, rdMolTransforms

RDLogger.DisableLog("rdApp.*")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEV_SDF = "/work/shared/forcefield-reference/dev/mmff94_dev.sdf"
SINGLE, DOUBLE, TRIPLE = (Chem.BondType.SINGLE, Chem.BondType.DOUBLE,
                          Chem.BondType.TRIPLE)


# ---------------------------------------------------------------- rotors
def sdf_blocks(path):
    """Molblocks (with any SD data) of an SDF file, in file order."""
    with open(path) as f:
        text = f.read()
    return [b.lstrip("\n") for b in text.split("$$$$") if b.strip()]


def read_raw(block):
    """Molecule exactly as written: no sanitising, no H removal."""
    mol = Chem.MolFromMolBlock(block, sanitize=False, removeHs=False)
    mol.UpdatePropertyCache(strict=False)
    Chem.FastFindRings(mol)
    return mol


def is_linear(atom):
    bonds = [b.GetBondType() for b in atom.GetBonds()]
    if TRIPLE in bonds:
        return True
    return atom.GetDegree() == 2 and bonds.count(DOUBLE) == 2


def is_symmetric_top(atom, partner, ranks):
    others = [n.GetIdx() for n in atom.GetNeighbors() if n.GetIdx() != partner]
    return len(others) == 3 and len({ranks[i] for i in others}) == 1


def is_amide_like(mol, j, k):
    for c, n in ((j, k), (k, j)):
        ca, na = mol.GetAtomWithIdx(c), mol.GetAtomWithIdx(n)
        if ca.GetAtomicNum() != 6 or na.GetAtomicNum() != 7:
            continue
        for b in ca.GetBonds():
            o = b.GetOtherAtom(ca)
            if b.GetBondType() == DOUBLE and o.GetAtomicNum() in (8, 16):
                return True
    return False


def dihedral_end(atom, partner):
    """Neighbour with the highest atomic number, ties: lowest index."""
    nbrs = [n for n in atom.GetNeighbors() if n.GetIdx() != partner]
    best = min(nbrs, key=lambda n: (-n.GetAtomicNum(), n.GetIdx()))
    return best.GetIdx()


def side_size(mol, start, blocked):
    """Atoms reachable from start without crossing bond start-blocked."""
    seen, stack = {start}, [start]
    while stack:
        a = stack.pop()
        for n in mol.GetAtomWithIdx(a).GetNeighbors():
            i = n.GetIdx()
            if i in seen or (a == start and i == blocked):
                continue
            seen.add(i)
            stack.append(i)
    return len(seen)


def moving_side(mol, j, k):
    nj, nk = side_size(mol, j, k), side_size(mol, k, j)
    if nj != nk:
        return [j, nj] if nj < nk else [k, nk]
    return [max(j, k), nj]


def find_rotors(mol, rotate_amides=False):
    ranks = list(Chem.CanonicalRankAtoms(mol, breakTies=False,
                                         includeChirality=False))
    ring = mol.GetRingInfo()
    rotors, moving = [], []
    for bond in mol.GetBonds():
        j, k = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        aj, ak = bond.GetBeginAtom(), bond.GetEndAtom()
        if bond.GetBondType() != SINGLE or ring.NumBondRings(bond.GetIdx()):
            continue
        if aj.GetDegree() < 2 or ak.GetDegree() < 2:
            continue
        if is_linear(aj) or is_linear(ak):
            continue
        if is_symmetric_top(aj, k, ranks) or is_symmetric_top(ak, j, ranks):
            continue
        if not rotate_amides and is_amide_like(mol, j, k):
            continue
        rotors.append([dihedral_end(aj, k), j, k, dihedral_end(ak, j)])
        moving.append(moving_side(mol, j, k))
    return rotors, moving


def rotor_record(block):
    mol = read_raw(block)
    rotors, moving = find_rotors(mol)
    with_amides, moving_amides = find_rotors(mol, rotate_amides=True)
    return {"name": mol.GetProp("_Name"), "num_atoms": mol.GetNumAtoms(),
            "rotors": rotors, "moving": moving,
            "rotors_with_amides": with_amides,
            "moving_with_amides": moving_amides}


def write_json_lines(path, records):
    """A JSON value with one record per line (easy to diff and read)."""
    with open(path, "w") as f:
        if isinstance(records, dict):
            f.write("{\n")
            items = list(records.items())
            for n, (key, recs) in enumerate(items):
                f.write(f"{json.dumps(key)}: [\n")
                f.write(",\n".join("  " + json.dumps(r) for r in recs))
                f.write("\n]" + (",\n" if n + 1 < len(items) else "\n"))
            f.write("}\n")
        else:
            f.write("[\n" + ",\n".join(json.dumps(r) for r in records) + "\n]\n")


def make_rotor_json():
    dev = [rotor_record(b) for b in sdf_blocks(DEV_SDF)]
    write_json_lines(os.path.join(HERE, "dev_rotors.json"), dev)
    mols_dir = os.path.join(ROOT, "molecules")
    table = {}
    for name in sorted(os.listdir(mols_dir)):
        if name.endswith(".sdf"):
            recs = [rotor_record(b) for b in sdf_blocks(os.path.join(mols_dir, name))]
            for i, r in enumerate(recs):
                r["index"] = i
            table[name] = recs
    write_json_lines(os.path.join(HERE, "molecules_rotors.json"), table)
    return dev, table


# ------------------------------------------------------------- builders
def embed(smiles, seed=42, mmff=True, name=None):
    mol = Chem.AddHs(Chem.MolFromSmiles(smiles))
    params = AllChem.ETKDGv3()
    params.randomSeed = seed
    if AllChem.EmbedMolecule(mol, params) != 0:
        raise RuntimeError(f"embedding failed: {smiles}")
    if mmff and AllChem.MMFFHasAllMoleculeParams(mol):
        AllChem.MMFFOptimizeMolecule(mol, maxIters=2000)
    mol.SetProp("_Name", name or smiles)
    return mol


def write_sdf(path, mols, **kw):
    with open(path, "w") as f:
        for mol in mols:
            f.write(record(mol, **kw))


def record(mol, kekulize=True, v3000=False):
    """One SDF record: molblock, SD tags in insertion order, $$$$."""
    text = Chem.MolToMolBlock(mol, kekulize=kekulize, forceV3000=v3000)
    for key in mol.GetPropNames():
        text += f">  <{key}>\n{mol.GetProp(key)}\n\n"
    return text + "$$$$\n"


STEREO = [
    ("L-alanine", "N[C@@H](C)C(=O)O"),
    ("D-alanine", "N[C@H](C)C(=O)O"),
    ("(R)-2-butanol", "C[C@@H](O)CC"),
    ("(S)-2-butanol", "C[C@H](O)CC"),
    ("(R)-CHFClBr", "F[C@H](Cl)Br"),
    ("(S)-CHFClBr", "F[C@@H](Cl)Br"),
    ("(S)-lactic_acid", "C[C@H](O)C(=O)O"),
    ("(R)-lactic_acid", "C[C@@H](O)C(=O)O"),
    ("(S)-ethanol-1-d", "[2H][C@H](O)C"),
    ("(R)-ethanol-1-d", "[2H][C@@H](O)C"),
    ("L-threonine", "C[C@@H](O)[C@H](N)C(=O)O"),
    ("beta-D-glucopyranose", "OC[C@H]1O[C@@H](O)[C@H](O)[C@@H](O)[C@@H]1O"),
    ("(-)-menthol", "CC(C)[C@@H]1CC[C@@H](C)C[C@H]1O"),
    ("(E)-2-butene", "C/C=C/C"),
    ("(Z)-2-butene", "C/C=C\\C"),
    ("(E)-3-methylpent-2-ene", "CC/C(C)=C/C"),
    ("(Z)-3-methylpent-2-ene", "CC/C(C)=C\\C"),
    ("(E)-acetaldoxime", "C/C=N/O"),
    ("(Z)-acetaldoxime", "C/C=N\\O"),
    ("(S)-methyl_phenyl_sulfoxide", "C[S@](=O)c1ccccc1"),
    ("(R)-methyl_phenyl_sulfoxide", "C[S@@](=O)c1ccccc1"),
    ("cis-1,4-dimethylcyclohexane", "C[C@H]1CC[C@@H](C)CC1"),
    ("trans-1,4-dimethylcyclohexane", "C[C@H]1CC[C@H](C)CC1"),
    ("isobutane", "CC(C)C"),
    ("2-propanol", "CC(O)C"),
    ("(S,E)-hex-3-en-2-ol", "C[C@H](O)/C=C/CC"),
]


def cip_tags(mol):
    """CIP labels perceived from the 3D coordinates alone.

    Labels are RDKit's new CIP labeler's: R/S, E/Z, and lowercase r/s for
    pseudo-asymmetric centres (it gives those to cis- and
    trans-1,4-dimethylcyclohexane).
    """
    mol = Chem.Mol(mol)
    Chem.AssignStereochemistryFrom3D(mol)
    rdCIPLabeler.AssignCIPLabels(mol)
    centres = [f"{a.GetIdx()}:{a.GetProp('_CIPCode')}" for a in mol.GetAtoms()
               if a.HasProp("_CIPCode")]
    bonds = []
    for b in mol.GetBonds():
        if b.HasProp("_CIPCode"):
            i, j = sorted((b.GetBeginAtomIdx(), b.GetEndAtomIdx()))
            bonds.append((i, j, b.GetProp("_CIPCode")))
    bonds = [f"{i}-{j}:{c}" for i, j, c in sorted(bonds)]
    return " ".join(centres), " ".join(bonds), Chem.MolToSmiles(Chem.RemoveHs(mol))


def make_stereo():
    mols = []
    for name, smi in STEREO:
        mol = embed(smi, name=name)
        centres, bonds, iso = cip_tags(mol)
        mol.SetProp("SMILES", iso)
        mol.SetProp("CIP_CENTRES", centres)
        mol.SetProp("CIP_BONDS", bonds)
        mols.append(mol)
    write_sdf(os.path.join(HERE, "stereo.sdf"), mols)
    return mols


def make_v3000():
    mols = [embed("C[N+](C)(C)C", name="tetramethylammonium"),
            embed("[2H]OC([2H])([2H])[13CH3]", name="ethanol-13C-d3-OD"),
            embed("CC(=O)NC", name="N-methylacetamide")]
    write_sdf(os.path.join(HERE, "v3000.sdf"), mols, v3000=True)
    write_sdf(os.path.join(HERE, "v3000_as_v2000.sdf"), mols)


def make_aromatic():
    mols = [embed("Cc1ccccc1", name="toluene"),
            embed("c1ccncc1", name="pyridine"),
            embed("c1ccc2[nH]ccc2c1", name="indole"),
            embed("Cc1cccs1", name="2-methylthiophene")]
    write_sdf(os.path.join(HERE, "aromatic.sdf"), mols, kekulize=False)
    # Cyclopentadienyl anion written with aromatic bonds, then the charge is
    # deleted: five aromatic CH carbons have no Kekule structure.
    cp = embed("[cH-]1cccc1", mmff=False, name="cyclopentadienyl_neutral_aromatic")
    lines = record(cp, kekulize=False).splitlines()
    lines = [l for l in lines if not l.startswith("M  CHG")]
    lines = [l[:36] + "  0" + l[39:] if len(l) > 39 and l[31:34].strip() == "C"
             else l for l in lines]
    with open(os.path.join(HERE, "aromatic_impossible.sdf"), "w") as f:
        f.write("\n".join(lines) + "\n")


def make_multi_gz():
    with open(os.path.join(ROOT, "molecules", "multi.sdf"), "rb") as f:
        data = f.read()
    with open(os.path.join(HERE, "multi.sdf.gz"), "wb") as raw:
        with gzip.GzipFile(filename="multi.sdf", mode="wb", fileobj=raw, mtime=0) as gz:
            gz.write(data)


# ------------------------------------------------------------ bad input
def ethanol_lines(name):
    mol = embed("CCO", name=name)
    return Chem.MolToMolBlock(mol).splitlines()


def atom_line(lines, n):
    """0-based line index of the n-th atom line (0-based n)."""
    return 4 + n


def bad_records():
    """{file: (lines, 1-based offending line, description)}."""
    out = {}
    base = ethanol_lines("ethanol")  # 9 atoms, 8 bonds; atom 2 (0-based) is O

    lines = base[:atom_line(base, 4)]
    out["truncated_atom_block"] = (lines, len(lines),
        "file ends after atom 4 of 9 (no further atom, bond, M  END or $$$$ lines)")

    lines = list(base)
    lines[3] = "  x" + lines[3][3:]
    out["bad_counts_line"] = (lines + ["$$$$"], 4, "atom count field '  9' replaced by '  x'")

    lines = list(base)
    o = atom_line(base, 2)
    lines[o] = lines[o][:31] + "Xx " + lines[o][34:]
    out["unknown_element"] = (lines + ["$$$$"], o + 1, "element symbol 'O' replaced by 'Xx'")

    lines = list(base)
    a = atom_line(base, 0)
    lines[a] = "   -1.2a34" + lines[a][10:]
    out["non_numeric_coordinate"] = (lines + ["$$$$"], a + 1,
        "x field of atom 1 replaced by '   -1.2a34'")

    lines = [l for l in base if l != "M  END"]
    out["missing_m_end"] = (lines + ["$$$$"], len(lines) + 1,
        "'M  END' line deleted; the record's $$$$ follows the last bond line")

    lines = [l for l in Chem.MolToMolBlock(embed("CCO", name="ethanol_v3000"),
                                           forceV3000=True).splitlines()
             if l != "M  V30 END CTAB"]
    out["v3000_unclosed_ctab"] = (lines + ["$$$$"], lines.index("M  END") + 1,
        "V3000 record with its 'M  V30 END CTAB' line deleted; 'M  END' follows 'M  V30 END BOND'")

    lines = list(base)
    b = 4 + 9 + 2  # third bond line
    lines[b] = lines[b][:3] + " 42" + lines[b][6:]
    out["bad_bond_index"] = (lines + ["$$$$"], b + 1,
        "second atom of bond 3 replaced by 42 (molecule has 9 atoms)")
    return out


def make_bad():
    bad_dir = os.path.join(HERE, "bad")
    os.makedirs(bad_dir, exist_ok=True)
    rows = []
    for name, (lines, line_no, what) in bad_records().items():
        with open(os.path.join(bad_dir, name + ".sdf"), "w") as f:
            f.write("\n".join(lines) + "\n")
        rows.append(f"| `{name}.sdf` | {what} | {line_no} |")

    # Mixed batch: good, broken coordinate, good, no hydrogens, good.
    def good(smiles, title):
        return Chem.MolToMolBlock(embed(smiles, name=title)).splitlines() + ["$$$$"]

    broken = ethanol_lines("broken_coord")
    broken[4] = "   -1.2a34" + broken[4][10:]
    no_h_mol = Chem.MolFromSmiles("CCCC")
    AllChem.Compute2DCoords(no_h_mol)
    no_h_mol.SetProp("_Name", "no_hydrogens")
    no_h = Chem.MolToMolBlock(no_h_mol)
    parts = [good("CCO", "good1"), broken + ["$$$$"], good("CCCC", "good2"),
             no_h.splitlines() + ["$$$$"], good("CC(=O)O", "good3")]
    start, notes = 1, []
    for p in parts:
        notes.append((p[0], start))
        start += len(p)
    with open(os.path.join(bad_dir, "mixed_batch.sdf"), "w") as f:
        f.write("\n".join(l for p in parts for l in p) + "\n")
    bad_coord_line = notes[1][1] + 4
    rec_lines = ", ".join(f"{t} at line {s}" for t, s in notes)
    rows.append(f"| `mixed_batch.sdf` | five records ({rec_lines}); "
                f"`broken_coord` has x of atom 1 = '   -1.2a34'; `no_hydrogens` is "
                f"butane drawn in 2D without hydrogens (4 atoms), which the reader's "
                f"iterator rejects and the tools embed | {bad_coord_line} "
                f"(broken_coord); {notes[3][1] + 3} (no_hydrogens counts line) |")

    readme = [
        "# Malformed input",
        "",
        "Each file holds one record derived from an RDKit-written molecule",
        "(ETKDGv3 + MMFF94, explicit hydrogens) by one minimal edit. Line numbers",
        "are 1-based within the file. Regenerate with `python3 tests/data/make_fixtures.py`.",
        "",
        "| file | edit | offending line |",
        "|---|---|---|",
    ] + rows
    # Malformed SMILES lines between good ones: (SMILES, name, column, what).
    lines = [
        ("CCO", "ethanol", None, None),
        ("C1CC", "unclosed_ring", 2, "ring closure 1 is never closed"),
        ("CC(C", "unclosed_branch", 3, "'(' is never closed"),
        ("CC)C", "unmatched_parenthesis", 3, "')' without a matching '('"),
        ("C[CH3", "unclosed_bracket", 2, "'[' is never closed"),
        ("C[Xx]C", "unknown_element", 3, "unknown element"),
        ("C(C)(C)(C)(C)C", "pentavalent_carbon", 1, "impossible valence"),
        ("c1cccc1", "no_kekule_structure", 3, "no Kekulé structure"),
        ("", None, None, None),
        ("C" * 40000 + "(", "long_line", 40001, "'(' is never closed"),
        ("c1ccccc1O", "phenol", None, None),
    ]
    with open(os.path.join(bad_dir, "malformed.smi"), "w") as f:
        for smiles, name, _, _ in lines:
            f.write(f"{smiles} {name}\n" if name else "\n")
    readme += [
        "",
        "`malformed.smi`: one SMILES per line, good ones (ethanol on line 1, phenol",
        "on line 11) around malformed ones; line 9 is empty (skipped):",
        "",
        "| line | name | column | error |",
        "|---|---|---|---|",
    ] + [f"| {i + 1} | {name} | {col} | {what} |"
         for i, (_, name, col, what) in enumerate(lines) if col is not None]
    with open(os.path.join(bad_dir, "README.md"), "w") as f:
        f.write("\n".join(readme) + "\n")


# ------------------------------------------------- ring puckers, invertomers
PUCKERS = [
    ("trans-1-ethyl-4-methylcyclohexane diaxial", "CC[C@H]1CC[C@H](C)CC1"),
    ("(S)-1,2-dimethylpiperidine N-methyl axial", "C[C@H]1CCCCN1C"),
]


def ring_signs(conf, ring):
    n = len(ring)
    out = ""
    for k in range(n):
        d = rdMolTransforms.GetDihedralDeg(conf, *[ring[(k + t) % n] for t in range(4)])
        out += "+" if d > 20 else "-" if d < -20 else "0"
    return out


def embed_minimised(mol, count, seed):
    """`count` ETKDGv3 conformers of `mol`, each minimised with MMFF94
    (maxIters 5000): their ids and energies."""
    params = AllChem.ETKDGv3()
    params.randomSeed = seed
    cids = list(AllChem.EmbedMultipleConfs(mol, count, params))
    energies = [e for _, e in AllChem.MMFFOptimizeMoleculeConfs(mol, maxIters=5000)]
    return cids, energies


def make_puckers():
    """Inputs whose lowest minimum needs a ring flip (diaxial chair of a
    trans-1,4-disubstituted cyclohexane) or a nitrogen inversion (the
    N-methyl axial chair of 1,2-dimethylpiperidine, same ring pucker as its
    lowest minimum). LOWEST_MMFF94 is the lowest MMFF94 minimum of 200
    ETKDG conformers."""
    out = []
    for name, smiles in PUCKERS:
        mol = Chem.AddHs(Chem.MolFromSmiles(smiles))
        cids, energies = embed_minimised(mol, 200, 7)
        ring = list(mol.GetRingInfo().AtomRings()[0])
        lowest = min(range(len(cids)), key=lambda i: energies[i])
        chair = ring_signs(mol.GetConformer(cids[lowest]), ring)
        flipped = "".join("+" if c == "-" else "-" for c in chair)
        # Ring flipped (cyclohexane) or same pucker (piperidine), the lowest
        # such minimum at least 1.5 kcal/mol above the global one.
        want = flipped if "cyclohexane" in name else chair
        pick = min(
            (i for i in range(len(cids))
             if ring_signs(mol.GetConformer(cids[i]), ring) == want
             and energies[i] > energies[lowest] + 1.5),
            key=lambda i: energies[i],
        )
        one = Chem.Mol(mol, confId=cids[pick])
        one.SetProp("_Name", name)
        one.SetProp("LOWEST_MMFF94", f"{energies[lowest]:.4f}")
        one.SetProp("INPUT_MMFF94", f"{energies[pick]:.4f}")
        out.append(one)
    write_sdf(os.path.join(HERE, "puckers.sdf"), out)
    return out


# ----------------------------------------------------- fused aromatics
FUSED_AROMATICS = [
    ("violanthrone", "O=C1c2ccccc2-c2ccc3c4ccc5c6c(ccc(c7ccc1c2c73)c64)-c1ccccc1C5=O"),
    ("PTCDA", "O=C1OC(=O)c2ccc3c4ccc5C(=O)OC(=O)c6ccc(c7ccc1c2c37)c4c56"),
    ("N,N'-dimethylperylene diimide",
     "CN1C(=O)c2ccc3c4ccc5C(=O)N(C)C(=O)c6ccc(c7ccc(C1=O)c2c37)c4c56"),
    ("triphenylene", "c1ccc2c(c1)c1ccccc1c1ccccc21"),
    ("coronene", "c1cc2ccc3ccc4ccc5ccc6ccc1c7c2c3c4c5c67"),
    ("hexahelicene", "c1ccc2c(c1)ccc1ccc3ccc4ccc5ccccc5c4c3c12"),
]


def make_fused_aromatics():
    """Fused polycycles whose MMFF aromaticity depends on the order RDKit
    visits the rings (a ring whose atoms all belong to other rings, with
    exocyclic Kekule double bonds into them): each in SMILES atom order and
    in atom orders shuffled with fixed seeds, written with the Kekule form
    RDKit perceives on reading (and one written after RDKit's MMFF94
    optimisation), with RDKit's MMFF94 energies and gradients from
    ../shared/tools/mmff_reference.py."""
    import random
    import subprocess
    out = []
    for name, smiles in FUSED_AROMATICS:
        base = Chem.AddHs(Chem.MolFromSmiles(smiles))
        params = AllChem.ETKDGv3()
        params.randomSeed = 7
        if AllChem.EmbedMolecule(base, params) != 0:
            params = AllChem.ETDG()  # helicenes defeat ETKDG's torsion terms
            params.randomSeed = 7
            params.useRandomCoords = True
            AllChem.EmbedMolecule(base, params)
        for seed in (None, 1, 2, 3):
            mol = Chem.Mol(base)
            if seed is not None:
                order = list(range(mol.GetNumAtoms()))
                random.Random(seed).shuffle(order)
                mol = Chem.RenumberAtoms(mol, order)
            mol = Chem.MolFromMolBlock(Chem.MolToMolBlock(mol), removeHs=False)
            mol.SetProp("_Name", name if seed is None else f"{name} (atom order {seed})")
            out.append(mol)
    # Violanthrone in another SMILES atom order, optimised by RDKit's MMFF94
    # before writing: RDKit's typing re-kekulises the molecule it types, so
    # the file carries a Kekule form RDKit would not perceive on reading.
    mol = embed("c12c3c(ccc4c5c6c(c(c34)cc1)ccc1c6c(cc5)C(=O)c3c-1cccc3)-c1ccccc1C2=O",
                seed=7, name="violanthrone (other SMILES order, MMFF94-optimised)")
    out.append(mol)
    path = os.path.join(HERE, "fused_aromatics.sdf")
    write_sdf(path, out)
    tool = os.path.join(ROOT, "..", "shared", "tools", "mmff_reference.py")
    subprocess.run([sys.executable, tool, path, "-o",
                    os.path.join(HERE, "fused_aromatics.mmff94.jsonl")], check=True)
    return out


# ------------------------------------------------------------ SMILES cases
SMILES_CASES = [
    "C[C@H](N)C(=O)O",                 # L-alanine, implicit H after the from-atom
    "N[C@@H](C)C(=O)O",                # L-alanine written from N
    "[C@@H](N)(C)C(=O)O",              # implicit H first (no preceding atom)
    "F[C@](Cl)(Br)I",
    "F[C@@](Cl)(Br)I",
    "C[C@@]1(O)CCCC1N",                # ring closure in the neighbour order
    "C1CC[C@H]2CCCC[C@@H]2C1",         # trans-decalin
    "C1CC[C@H]2CCCC[C@H]2C1",          # cis-decalin
    "O[C@@H]1C[C@H](O)C1",
    "[C@H]1(O)CCCC1Cl",
    "F/C=C/F",
    "F/C=C\\F",
    "C(/F)=C/F",
    "F\\C=C/C=C/C",                  # conjugated chain
    "C/C=C/1.Cl1",                     # ring-closure bond carrying the mark
    "C\\1CCCCCCC/C=C1",              # cyclodecene closed through a marked ring bond
    "c1ccccc1",
    "c1ccc2ccccc2c1",
    "c1cc[nH]c1",
    "c1ccncc1",
    "O=c1cccc[nH]1",                   # 2-pyridone
    "[O-][n+]1ccccc1",                 # pyridine N-oxide
    "c1ccsc1",
    "c1ccoc1",
    "c1cc[se]c1",
    "C[NH3+]",
    "[NH4+].[Cl-]",
    "OC(=O)C%10CCCCC%10",
    "[2H]C([2H])([2H])O",
    "CS(=O)(=O)N",
    "C[S@](=O)c1ccccc1",               # sulfoxide: lone pair as a neighbour
    "N#CC",
    "[13CH3]O",
    "C[C@H](O)/C=C/[C@@H](C)O",
    # Lone-pair centres where RDKit departs from OpenSMILES: first atom,
    # one ring-closure digit (opening or closing), and their combination.
    "[S@](=O)(C)CC",
    "C[S@+]1CCC[C@H]1C",
    "C1CC[C@H](C)[S@+]1C",
    "[S@+]1(C)CCC[C@H]1C",
    "O=[S@]1CCC[C@H]1C",
    "C[C@H]1CC[S@+]2CC[C@@H]12",
]

SMILES_BAD = [
    ("C1CC", 2, "never closed"),
    ("CC(C", 3, "never closed"),
    ("CC)C", 3, "without a matching"),
    ("C[CH3", 2, "never closed"),
    ("CXC", 2, "unexpected"),
    ("C[Xx]C", 3, "unknown element"),
    ("C(C)(C)(C)(C)C", 1, "impossible valence"),
    ("c1cccc1", 3, "Kekul"),
    ("CC=", 3, "ends after a bond"),
    ("C[C@AL1]C", 4, "not supported"),
    ("C=1CC-1", 7, "two different bonds"),
    ("C11", 3, "itself"),
    ("", 1, "empty"),
]


def make_smiles_cases():
    """RDKit's view of each SMILES case: atomic numbers after AddHs (same
    order as ours), hydrogens and formal charge per atom, and from an ETKDG
    embedding the sign of the chiral volume of each stereocentre (its
    neighbours in ascending index order) and, for each stereo double bond,
    which neighbour pairs are cis."""
    cases = []
    for smiles in SMILES_CASES:
        centres, doubles = stereo_reference(Chem.MolFromSmiles(smiles))
        mol = Chem.AddHs(Chem.MolFromSmiles(smiles))
        cases.append({
            "smiles": smiles,
            "atomic_numbers": [a.GetAtomicNum() for a in mol.GetAtoms()],
            "hydrogens": [a.GetTotalNumHs(includeNeighbors=True) for a in mol.GetAtoms()],
            "charges": [a.GetFormalCharge() for a in mol.GetAtoms()],
            "centres": centres,
            "double_bonds": doubles,
        })
    with open(os.path.join(HERE, "smiles_cases.json"), "w") as f:
        json.dump({"cases": cases,
                   "bad": [{"smiles": s, "column": c, "message": m} for s, c, m in SMILES_BAD]},
                  f, indent=1)
        f.write("\n")


def stereo_reference(mol):
    """Chiral-volume signs of the stereocentres (neighbours in ascending
    index order, a lone pair first at the centre itself) and cis/trans of
    every neighbour pair of each stereo double bond, from an ETKDG embedding
    of `mol` (hydrogens added)."""
    mol = Chem.AddHs(mol)
    params = AllChem.ETKDGv3()
    params.randomSeed = 11
    if AllChem.EmbedMolecule(mol, params) != 0:
        raise RuntimeError(f"embedding failed: {Chem.MolToSmiles(mol)}")
    conf = mol.GetConformer()
    pos = [conf.GetAtomPosition(i) for i in range(mol.GetNumAtoms())]
    centres = []
    for atom in mol.GetAtoms():
        if atom.GetChiralTag() == Chem.ChiralType.CHI_UNSPECIFIED:
            continue
        nbrs = sorted(n.GetIdx() for n in atom.GetNeighbors())
        if len(nbrs) == 3:
            nbrs = [atom.GetIdx()] + nbrs
        a, b, c, d = (pos[i] for i in nbrs)
        v = (b - a).DotProduct((c - a).CrossProduct(d - a))
        centres.append({"atom": atom.GetIdx(), "volume_sign": 1 if v > 0 else -1})
    doubles = []
    for bond in mol.GetBonds():
        if bond.GetStereo() in (Chem.BondStereo.STEREONONE, Chem.BondStereo.STEREOANY):
            continue
        i, j = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        pairs = []
        for x in mol.GetAtomWithIdx(i).GetNeighbors():
            for y in mol.GetAtomWithIdx(j).GetNeighbors():
                if x.GetIdx() in (i, j) or y.GetIdx() in (i, j):
                    continue
                dih = rdMolTransforms.GetDihedralDeg(conf, x.GetIdx(), i, j, y.GetIdx())
                pairs.append([x.GetIdx(), y.GetIdx(), abs(dih) < 90])
        doubles.append({"atoms": [i, j], "pairs": pairs})
    return centres, doubles


# 2D drawings: (name, SMILES, drawn with explicit hydrogens, V3000, a
# double bond drawn crossed as "either").
DRAWINGS = [
    ("azaadamantane_cage", "c1cncc([C@H]2[C@@H]3C[C@H]4C[C@@H](C3)C[N@@H+]2C4)c1", False, False, False),
    ("adamantyl_urea", "CS(=O)(=O)N1CCC(NC(=O)N[C@]23C[C@H]4C[C@H](C[C@H](C4)C2)C3)CC1", False, False, False),
    ("beta_D_glucose", "OC[C@H]1O[C@@H](O)[C@H](O)[C@@H](O)[C@@H]1O", False, True, False),
    ("L_alanine_with_h", "N[C@@H](C)C(=O)O", True, False, False),
    ("trans_decalinol", "O[C@@H]1CC[C@H]2CCCC[C@@H]2C1", False, False, False),
    ("methyl_phenyl_sulfoxide", "C[S@](=O)c1ccccc1", False, False, False),
    ("thiolanium", "C[S@+]1CCC[C@H]1C", False, True, False),
    ("crotonic_acid_E", "C/C=C/C(=O)O", False, False, False),
    ("isocrotonic_acid_Z", "C/C=C\\C(=O)O", False, True, False),
    ("macrolactone_E", "O=C1CCCCC/C=C/CCCCO1", False, False, False),
    ("hexenol_crossed", "CC/C=C/CCO", False, False, True),
]


def make_drawn_ethanol():
    """Ethanol drawn in 2D, without and with hydrogens: records the
    library's iterator rejects (it yields 3D structures) and the tools
    embed."""
    heavy = Chem.MolFromSmiles("CCO")
    AllChem.Compute2DCoords(heavy)
    heavy.SetProp("_Name", "ethanol_no_h")
    write_sdf(os.path.join(HERE, "drawn_no_hydrogens.sdf"), [heavy])
    flat = Chem.AddHs(Chem.MolFromSmiles("CCO"))
    AllChem.Compute2DCoords(flat)
    flat.SetProp("_Name", "ethanol_2d")
    write_sdf(os.path.join(HERE, "drawn_with_hydrogens.sdf"), [flat])


def make_drawings():
    """2D drawings with wedges, hashes and drawn double bonds, each with the
    reference configuration of its stereo elements (`CENTRES`,
    `DOUBLE_BONDS`, JSON as in smiles_cases.json) in the atom order of the
    drawing with hydrogens appended as AddHs appends them."""
    records = []
    for name, smiles, with_h, v3000, crossed in DRAWINGS:
        mol = Chem.MolFromSmiles(smiles)
        if with_h:
            mol = Chem.AddHs(mol)
        AllChem.Compute2DCoords(mol)
        centres, doubles = stereo_reference(Chem.RemoveHs(mol) if not with_h else mol)
        if crossed:
            for bond in mol.GetBonds():
                if bond.GetBondType() == Chem.BondType.DOUBLE:
                    bond.SetStereo(Chem.BondStereo.STEREOANY)
                    bond.SetBondDir(Chem.BondDir.EITHERDOUBLE)
            doubles = []
        mol.SetProp("_Name", name)
        mol.SetProp("CENTRES", json.dumps(centres))
        mol.SetProp("DOUBLE_BONDS", json.dumps(doubles))
        records.append(record(mol, v3000=v3000))
    with open(os.path.join(HERE, "drawings_2d.sdf"), "w") as f:
        f.write("".join(records))


def make_no_hydrogens_3d():
    """A 3D structure written without hydrogens (the reader places them)."""
    mol = embed("CC(=O)Nc1ccc(O)cc1", name="paracetamol_no_h")
    write_sdf(os.path.join(HERE, "no_hydrogens_3d.sdf"), [Chem.RemoveHs(mol)])


def make_triphenylethanol():
    """21 heavy atoms, 48 automorphisms of the heavy-atom graph (3! phenyl
    permutations × 2³ ring flips)."""
    write_sdf(os.path.join(HERE, "triphenylethanol.sdf"),
              [embed("OCC(c1ccccc1)(c1ccccc1)c1ccccc1", name="2,2,2-triphenylethanol")])


# ------------------------------------ ring shapes and amide rotamers (gen)
SHAPES = [
    # Two half-chairs: methyl pseudo-equatorial (lower) and pseudo-axial.
    ("(R)-4-methylcyclohexene", "C[C@@H]1CC=CCC1"),
    # Amide rotamers (methyl cis or trans to O) times chairs (methyl axial
    # or equatorial).
    ("(S)-1-acetyl-2-methylpiperidine", "CC(=O)N1CCCC[C@@H]1C"),
    # A 14-membered macrolactone: many ring shapes, no torsion outside.
    ("oxacyclotetradecan-2-one", "O=C1CCCCCCCCCCCCO1"),
]

# A crowded tertiary anilide: its trans amide twists out of plane to either
# side, each twist with minima of its own.
ANILIDE = [("(S)-N-(2-oxo-1,2-diphenylethyl)-N-phenylacetamide",
            "CC(=O)N(c1ccccc1)[C@H](C(=O)c1ccccc1)c1ccccc1")]


def shape_key(mol, conf):
    """Signs of the endocyclic dihedrals and of cos(O=C-N-C) of amides."""
    key = "".join(ring_signs(conf, list(r)) for r in mol.GetRingInfo().AtomRings())
    patt = Chem.MolFromSmarts("O=C-N(-[#6])-[#6]")
    for o, c, n, a, _ in mol.GetSubstructMatches(patt):
        if mol.GetBondBetweenAtoms(c, n).IsInRing():
            continue
        key += "c" if abs(rdMolTransforms.GetDihedralDeg(conf, o, c, n, a)) < 90 else "t"
        break
    if not Chem.FindMolChiralCenters(mol, includeUnassigned=True):
        # A mirror image is the same conformer of an achiral molecule.
        key = min(key, key.translate(str.maketrans("+-", "-+")))
    return key


def make_shapes(molecules=SHAPES, stem="shapes"):
    """Molecules whose low minima differ in what torsions cannot reach: a
    cyclohexene's half-chairs, a piperidine amide's rotamers and chairs, a
    macrolactone's ring (shapes.sdf); an anilide's amide rotamers and twists
    (anilide.sdf). The input of each is the lowest minimum whose ring shape
    (and amide rotamer) differs from the global minimum's. The reference is
    RDKit ETKDGv3 (300 conformers, seed 0xf00d) + MMFF94 (maxIters 5000),
    pruned at 0.5 A heavy-atom RMSD in energy order, the minima within 3
    kcal/mol of the lowest (STEM_reference.sdf)."""
    inputs, refs = [], []
    for name, smiles in molecules:
        mol = Chem.AddHs(Chem.MolFromSmiles(smiles))
        cids, energies = embed_minimised(mol, 300, 0xF00D)
        order = sorted(range(len(cids)), key=lambda i: energies[i])
        heavy = Chem.RemoveHs(mol)
        kept = []
        for i in order:
            if energies[i] > energies[order[0]] + 3.0:
                break
            probe = Chem.Mol(heavy, confId=cids[i])
            if all(AllChem.GetBestRMS(Chem.Mol(heavy, confId=cids[k]), probe) > 0.5 for k in kept):
                kept.append(i)
        lowest = order[0]
        best_key = shape_key(mol, mol.GetConformer(cids[lowest]))
        pick = next(i for i in order if shape_key(mol, mol.GetConformer(cids[i])) != best_key)
        one = Chem.Mol(mol, confId=cids[pick])
        one.SetProp("_Name", name)
        one.SetProp("LOWEST_MMFF94", f"{energies[lowest]:.4f}")
        one.SetProp("INPUT_MMFF94", f"{energies[pick]:.4f}")
        one.SetProp("REFERENCE_MINIMA", str(len(kept)))
        inputs.append(one)
        for i in kept:
            ref = Chem.Mol(mol, confId=cids[i])
            ref.SetProp("_Name", name)
            ref.SetProp("ENERGY", f"{energies[i]:.4f}")
            refs.append(ref)
    write_sdf(os.path.join(HERE, f"{stem}.sdf"), inputs)
    write_sdf(os.path.join(HERE, f"{stem}_reference.sdf"), refs)
    return inputs


def make_invertomers():
    """4-tert-Butyl-1-methylpiperidine at its lowest minimum (both
    substituents equatorial), and RDKit's lowest minimum of each other
    chair: N-methyl axial (the nitrogen inverted; its two ring neighbours
    are symmetric) and tert-butyl axial (the ring flipped and the nitrogen
    inverted). ETKDGv3 (300 conformers, seed 0xf00d) + MMFF94 (maxIters
    5000); ENERGY is each minimum's MMFF94 energy."""
    mol = Chem.AddHs(Chem.MolFromSmiles("CN1CCC(CC1)C(C)(C)C"))
    cids, energies = embed_minimised(mol, 300, 0xF00D)
    me, n, c2, c3, c4, cq = mol.GetSubstructMatch(Chem.MolFromSmarts("[CH3]N1CCC(C(C)(C)C)CC1"))[:6]
    ring = list(mol.GetRingInfo().AtomRings()[0])

    def kind(conf):
        axial = lambda *q: abs(rdMolTransforms.GetDihedralDeg(conf, *q)) < 120
        chair = ring_signs(conf, ring) in ("+-+-+-", "-+-+-+")
        return chair, axial(me, n, c2, c3), axial(cq, c4, c3, c2)

    order = sorted(range(len(cids)), key=lambda i: energies[i])
    out = []
    for name, want in (("lowest", (True, False, False)),
                       ("N-methyl axial", (True, True, False)),
                       ("tert-butyl axial", (True, False, True))):
        i = next(i for i in order if kind(mol.GetConformer(cids[i])) == want)
        one = Chem.Mol(mol, confId=cids[i])
        one.SetProp("_Name", f"4-tert-butyl-1-methylpiperidine, {name}")
        one.SetProp("ENERGY", f"{energies[i]:.4f}")
        out.append(one)
    write_sdf(os.path.join(HERE, "invertomers.sdf"), out)
    return out


def make_zwitterion():
    """6-Aminohexanoic acid as its zwitterion, extended: in vacuum (eps = 1)
    its salt-bridged fold lies far below every extended shape."""
    mol = Chem.AddHs(Chem.MolFromSmiles("[NH3+]CCCCCC(=O)[O-]"))
    params = AllChem.ETKDGv3()
    params.randomSeed = 11
    AllChem.EmbedMolecule(mol, params)
    mol.SetProp("_Name", "6-aminohexanoate zwitterion")
    write_sdf(os.path.join(HERE, "zwitterion.sdf"), [mol])


def make_cyclododecanone():
    """Cyclododecanone, embedded off its lowest ring shape, with the lowest
    MMFF94 energy of RDKit's 300 embeddings (ETKDGv3, seed 0xf00d, each
    minimised): the square [3333] ring, which 2 of those 300 reach."""
    mol = embed("O=C1CCCCCCCCCCC1", seed=7, name="cyclododecanone")
    probe = Chem.Mol(mol)
    params = AllChem.ETKDGv3()
    params.randomSeed = 0xF00D
    AllChem.EmbedMultipleConfs(probe, 300, params)
    energies = [e for _, e in AllChem.MMFFOptimizeMoleculeConfs(probe, maxIters=5000)]
    mol.SetProp("LOWEST_MMFF94", "%.4f" % min(energies))
    write_sdf(os.path.join(HERE, "cyclododecanone.sdf"), [mol])
    return mol


def make_phosphodiester():
    """Ethyl methyl phosphate anion: P(=O)O- is one group by resonance, yet
    RDKit, reading the file's double bond and charge, labels the P."""
    mol = embed("CCO[P@](=O)([O-])OC", seed=5, name="ethyl methyl phosphate")
    write_sdf(os.path.join(HERE, "phosphodiester.sdf"), [mol])
    return mol


def main():
    dev, table = make_rotor_json()
    n_with = sum(1 for r in dev if r["rotors"])
    print(f"dev: {n_with}/{len(dev)} molecules with rotors, "
          f"{sum(len(r['rotors']) for r in dev)} rotors "
          f"({sum(len(r['rotors_with_amides']) for r in dev)} with amides)")
    for name, recs in table.items():
        print(name, [(r["name"], len(r["rotors"]), len(r["rotors_with_amides"])) for r in recs])
    for mol in make_stereo():
        print(f"{mol.GetProp('_Name'):32s} centres [{mol.GetProp('CIP_CENTRES')}] "
              f"bonds [{mol.GetProp('CIP_BONDS')}] {mol.GetProp('SMILES')}")
    make_v3000()
    make_aromatic()
    make_multi_gz()
    make_bad()
    make_triphenylethanol()
    make_fused_aromatics()
    make_smiles_cases()
    make_no_hydrogens_3d()
    make_drawn_ethanol()
    make_drawings()
    for mol in make_puckers():
        print(mol.GetProp("_Name"), mol.GetProp("INPUT_MMFF94"), mol.GetProp("LOWEST_MMFF94"))
    make_zwitterion()
    make_phosphodiester()
    print("cyclododecanone", make_cyclododecanone().GetProp("LOWEST_MMFF94"))
    for mol in make_invertomers():
        print(mol.GetProp("_Name"), mol.GetProp("ENERGY"))
    for mol in make_shapes() + make_shapes(ANILIDE, "anilide"):
        print(mol.GetProp("_Name"), mol.GetProp("INPUT_MMFF94"), mol.GetProp("LOWEST_MMFF94"),
              mol.GetProp("REFERENCE_MINIMA"))


if __name__ == "__main__":
    main()
