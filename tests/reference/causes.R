# Reference values for analysis.causes.muscle_damage_table: the five CK and LDH
# comparisons of data/evidence_table.csv that print mean (SD), recomputed in R.
#
# Run from this directory:  Rscript causes.R > causes.Rout
# tests/test_causes.py reads causes.Rout (the CSV block below); the tests never need R.
options(digits = 15)
suppressPackageStartupMessages(library(metafor))
cat("R:", R.version.string, " metafor", format(packageVersion("metafor")), "\n\n")

# Vectors with exactly a given mean and SD, so t.test() on them reproduces the
# test computed from the printed summaries.
exact <- function(n, m, s) { z <- seq_len(n) - (n + 1) / 2; m + s * z / sd(z) }

rows <- data.frame(
  label = c("schwellnus2011b ck pre", "martinez-navarro2022 ck post",
            "martinez-navarro2022 ldh post", "martinez-navarro2022 ck 24h_post",
            "martinez-navarro2022 ldh 24h_post"),
  n1 = c(20, 20, 20, 20, 20), m1 = c(89, 464.17, 362.27, 2438.59, 277.05),
  s1 = c(80, 220.47, 72.10, 2625.24, 89.74),
  n2 = c(29, 68, 68, 68, 68), m2 = c(58, 383.04, 307.87, 1166.66, 227.07),
  s2 = c(35, 253.41, 52.42, 910.71, 37.15))

out <- do.call(rbind, lapply(seq_len(nrow(rows)), function(i) {
  r <- rows[i, ]
  x <- exact(r$n1, r$m1, r$s1); y <- exact(r$n2, r$m2, r$s2)
  w <- t.test(x, y)                     # Welch
  s <- t.test(x, y, var.equal = TRUE)   # Student
  es <- escalc(measure = "SMD", m1i = r$m1, sd1i = r$s1, n1i = r$n1,
               m2i = r$m2, sd2i = r$s2, n2i = r$n2)
  ci <- summary(es)
  data.frame(label = r$label, mean_diff = unname(w$estimate[1] - w$estimate[2]),
             ci_low = w$conf.int[1], ci_high = w$conf.int[2], p_welch = w$p.value,
             p_student = s$p.value, hedges_g = as.numeric(es$yi),
             hedges_g_ci_low = ci$ci.lb, hedges_g_ci_high = ci$ci.ub)
}))
cat("==== csv ====\n")
write.csv(out, stdout(), row.names = FALSE)
cat("==== end ====\n")
