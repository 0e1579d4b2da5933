# Reference values for check_reported_p in tests/test_summaries.py: two-sided
# and one-sided Student and Welch p from printed summaries, computed by
# t.test on vectors that have exactly the printed means and SDs.
# Run from this folder:  Rscript reported_p.R > reported_p.Rout 2>&1
options(digits = 15)
cat(R.version.string, "\n\n")
exact <- function(n, m, s) { z <- seq_len(n) - (n + 1) / 2; m + s * z / sd(z) }
show <- function(label, n1, m1, s1, n2, m2, s2) {
  x <- exact(n1, m1, s1); y <- exact(n2, m2, s2)
  side <- if (m1 > m2) "greater" else "less"
  cat(label, "\n")
  cat(sprintf("  welch two-sided   %.15g\n", t.test(x, y)$p.value))
  cat(sprintf("  student two-sided %.15g\n", t.test(x, y, var.equal = TRUE)$p.value))
  cat(sprintf("  welch one-sided (%s)   %.15g\n", side, t.test(x, y, alternative = side)$p.value))
  cat(sprintf("  student one-sided (%s) %.15g\n", side,
              t.test(x, y, alternative = side, var.equal = TRUE)$p.value))
}
# Martinez-Navarro et al. 2022, post-race LDH (U/L), printed p = 0.002
show("LDH 20 vs 68", 20, 362.27, 72.10, 68, 307.87, 52.42)
# Schwellnus et al. 2004, post-race sodium and magnesium (mmol/L), p = 0.004 and 0.03
show("sodium 21 vs 22", 21, 139.8, 3.1, 22, 142.3, 2.1)
show("magnesium 21 vs 22", 21, 0.73, 0.06, 22, 0.67, 0.08)
# magnesium, the corner of the rounding box with the largest p
show("magnesium box corner 21 vs 22", 21, 0.725, 0.065, 22, 0.675, 0.085)
