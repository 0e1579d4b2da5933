# Reference values for tests/test_paired.py.
# Run from this folder:  Rscript paired.R > paired.Rout 2>&1
# change = post - pre; t.test(post, pre, paired = TRUE) and
# wilcox.test(post, pre, paired = TRUE), both with R's defaults.
options(digits = 15)
cat(R.version.string, "\n\n")

show <- function(label, post, pre, conf = 0.95) {
  tt <- t.test(post, pre, paired = TRUE, conf.level = conf)
  w <- suppressWarnings(wilcox.test(post, pre, paired = TRUE))
  cat(sprintf("%s (n = %d, conf = %g)\n", label, length(pre), conf))
  cat(sprintf("  mean_change = %.15g\n  ci = [%.15g, %.15g]\n", tt$estimate, tt$conf.int[1],
              tt$conf.int[2]))
  cat(sprintf("  t = %.15g, df = %.15g, p = %.15g\n", tt$statistic, tt$parameter, tt$p.value))
  cat(sprintf("  V = %.15g, p_wilcoxon = %.15g, method = %s\n", w$statistic, w$p.value, w$method))
}

# The cohort of tests/test_paired.py (complete pairs only; the Python cohort adds
# one cramp runner without sodium_post and one control runner without sodium_pre).
cramp_pre    <- c(138.2, 140.5, 136.9, 142.3, 139.0, 141.7, 137.5, 140.0)
cramp_post   <- c(136.1, 139.4, 134.6, 141.8, 136.2, 141.0, 137.9, 137.3)
control_pre  <- c(141, 139, 143, 140, 142, 138, 141, 144, 139, 140)
control_post <- c(141, 141, 142, 142, 140, 140, 143, 143, 141, 139)
show("cramp: no ties, no zeros, n < 50 -> exact", cramp_post, cramp_pre)
show("cramp, conf = 0.90", cramp_post, cramp_pre, conf = 0.90)
show("control: one zero and ties -> normal", control_post, control_pre)

# a zero difference but no ties among the non-zero |differences|
z_pre  <- c(10.0, 11.5, 9.8, 12.1, 10.4, 11.0)
z_post <- c(10.0, 12.6, 9.1, 14.0, 11.3, 13.5)
show("zeros only -> normal", z_post, z_pre)
# ties but no zeros
t_pre  <- c(5, 7, 6, 9, 8, 4, 6)
t_post <- c(6, 9, 7, 8, 11, 6, 9)
show("ties only -> normal", t_post, t_pre)
# n = 50, no ties, no zeros: n is not < 50 -> normal
i <- 1:50
n50_pre  <- 140 + i / 10
n50_post <- n50_pre + ((i * 37) %% 101) / 4 - 12.6
show("n = 50 -> normal", n50_post, n50_pre)
# n = 49, same construction -> exact
show("n = 49 -> exact", n50_post[1:49], n50_pre[1:49])

cat("\n## degenerate cases\n")
cat("constant differences, post = c(2, 3, 4), pre = c(1, 2, 3):\n")
r <- try(t.test(c(2, 3, 4), c(1, 2, 3), paired = TRUE), silent = TRUE)
cat("  t.test error:", conditionMessage(attr(r, "condition")), "\n")
w <- suppressWarnings(wilcox.test(c(2, 3, 4), c(1, 2, 3), paired = TRUE))
cat(sprintf("  wilcox.test: V = %.15g, p = %.15g, method = %s\n", w$statistic, w$p.value,
            w$method))
w <- suppressWarnings(wilcox.test(c(1, 2, 3), c(1, 2, 3), paired = TRUE))
cat(sprintf("all differences zero: wilcox.test p = %.15g\n", w$p.value))
