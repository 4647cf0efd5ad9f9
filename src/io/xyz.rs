//! XYZ output: one frame per conformer, the comment line carrying the
//! molecule name and, when known, its energy.

use crate::mol::Molecule;
use nalgebra::Point3;
use std::io::{self, Write};

/// Writes one XYZ frame. `comment` goes on the second line (first line of
/// it only, since a frame has exactly one comment line).
pub fn write_frame<W: Write>(
    out: &mut W,
    mol: &Molecule,
    coords: &[Point3<f64>],
    comment: &str,
) -> io::Result<()> {
    writeln!(out, "{}", mol.num_atoms())?;
    writeln!(out, "{}", comment.lines().next().unwrap_or(""))?;
    for (atom, p) in mol.atoms().iter().zip(coords) {
        writeln!(
            out,
            "{:<2} {:>12.6} {:>12.6} {:>12.6}",
            atom.element.symbol(),
            p.x,
            p.y,
            p.z
        )?;
    }
    Ok(())
}

/// The conventional comment line: name, then `energy=` in kcal/mol.
pub fn comment(name: &str, energy: Option<f64>) -> String {
    match energy {
        Some(e) => format!("{name} energy={e:.6} kcal/mol"),
        None => name.to_string(),
    }
}
