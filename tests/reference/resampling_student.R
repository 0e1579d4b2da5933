# Reference for tests/test_resampling.py: the large-sample fallback of the raw
# (unstudentized) permutation test is Student's pooled t-test, whose null
# distribution (identical distributions, pooled variance) the raw permutation
# distribution follows; the studentized test falls back on Welch's.
# Run from the repository root:
#   Rscript tests/reference/resampling_student.R > tests/reference/resampling_student.Rout
options(digits = 15)
cat(R.version.string, "\n")
x_cramp <- c(139.2, 141.5, 136.8, 144.1, 138.7, 140.3, 135.9, 142.6, 137.4, 143.8)
x_control <- c(140.1, 142.3, 139.5, 143.7, 141.2, 144.9, 138.8, 142.0, 140.6,
               145.3, 139.9, 141.8, 143.1, 142.7)
for (alt in c("two.sided", "less", "greater"))
  cat("t.test(x_cramp, x_control, var.equal = TRUE, alternative = '", alt, "')$p.value = ",
      format(t.test(x_cramp, x_control, var.equal = TRUE, alternative = alt)$p.value,
             digits = 15), "\n", sep = "")
