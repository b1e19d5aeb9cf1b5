//! Reading pyHanko's verdicts (`pyhanko sign validate --pretty-print`, `sign adesverify`).

/// True when pyHanko judged every signature and timestamp it reported on valid (its
/// "The signature is judged VALID." lines), and reported at least one.
pub fn judged_valid(report: &str) -> bool {
    let verdicts: Vec<&str> = report
        .lines()
        .filter(|l| l.contains(" is judged "))
        .collect();
    !verdicts.is_empty()
        && verdicts
            .iter()
            .all(|l| l.trim_end().ends_with("judged VALID."))
}
