# Reference values for tests/test_compare.py: Welch t-test and Mann-Whitney
# (Wilcoxon rank-sum) with R's defaults, on the bundled synthetic marathon cohort.
# Run from the repository root:
#   Rscript tests/reference/compare_groups.R > tests/reference/compare_groups.Rout
# R version and the calls used are printed in the .Rout file.
options(digits = 15)
d <- read.csv("data/marathon_synthetic.csv")
d$sodium_change <- d$sodium_post - d$sodium_pre
d$potassium_change <- d$potassium_post - d$potassium_pre
# Dill & Costill (1974) percent change in plasma volume
d$pv_change <- 100 * ((d$haemoglobin_pre / d$haemoglobin_post) *
  (1 - d$haematocrit_post) / (1 - d$haematocrit_pre) - 1)
vars <- c("sodium_pre", "sodium_post", "sodium_change", "potassium_pre",
          "potassium_post", "potassium_change", "bicarbonate_post", "pv_change")
rows <- lapply(vars, function(v) {
  x <- d[d$group == "cramp", v]
  y <- d[d$group == "control", v]
  tt <- t.test(x, y)                      # Welch, 95 % CI: R's defaults
  wt <- suppressWarnings(wilcox.test(x, y))  # exact if n < 50 and no ties, else normal + cc
  data.frame(variable = v, mean_diff = unname(tt$estimate[1] - tt$estimate[2]),
             ci_low = tt$conf.int[1], ci_high = tt$conf.int[2],
             t = unname(tt$statistic), df = unname(tt$parameter), p_welch = tt$p.value,
             W = unname(wt$statistic), p_mannwhitney = wt$p.value)
})
out <- do.call(rbind, rows)
cat(R.version.string, "\n")
cat("calls: t.test(x, y); wilcox.test(x, y)  with x = cramp, y = control\n")
print(out)
write.csv(out, "tests/reference/compare_groups.csv", row.names = FALSE)
