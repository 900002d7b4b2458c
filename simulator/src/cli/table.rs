//! Column alignment as Go's `text/tabwriter` does it, which kubectl and argocd use.

/// Aligns rows: every cell but the last in a row is padded to its column's
/// width plus `padding`, and to at least `min_width`.
pub fn tabwrite(rows: &[Vec<String>], min_width: usize, padding: usize) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; columns];
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(row.len().saturating_sub(1)) {
            widths[i] = widths[i].max(cell.chars().count() + padding).max(min_width);
        }
    }
    let mut out = String::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i + 1 < row.len() {
                out.push_str(cell);
                out.push_str(&" ".repeat(widths[i] - cell.chars().count()));
            } else {
                out.push_str(cell);
            }
        }
        out.push('\n');
    }
    out
}

/// kubectl's printer: minimum width 6, padding 3.
pub fn kubectl(rows: &[Vec<String>]) -> String {
    tabwrite(rows, 6, 3)
}

/// The argocd CLI's tables: padding 2.
pub fn argocd(rows: &[Vec<String>]) -> String {
    tabwrite(rows, 0, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_all_but_the_last_column() {
        let rows = vec![vec!["NAME".into(), "READY".into(), "AGE".into()], vec!["payment-service".into(), "3/3".into(), "12d".into()]];
        assert_eq!(kubectl(&rows), "NAME              READY   AGE\npayment-service   3/3     12d\n");
    }
}
