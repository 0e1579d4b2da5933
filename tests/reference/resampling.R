# Reference values for tests/test_resampling.py.
# Run from this folder:  Rscript resampling.R > resampling.Rout 2>&1
# R 4.2.2, boot 1.3-28.1, coin 1.4-2.
options(digits = 15)
suppressPackageStartupMessages({
  library(boot)
  library(coin)
})
cat(R.version.string, "| boot", format(packageVersion("boot")),
    "| coin", format(packageVersion("coin")), "\n\n")

# ---- fixed vectors, typed identically in the Python tests ------------------
x_cramp   <- c(139.2, 141.5, 136.8, 144.1, 138.7, 140.3, 135.9, 142.6, 137.4, 143.8)
x_control <- c(140.1, 142.3, 139.5, 143.7, 141.2, 144.9, 138.8, 142.0, 140.6,
               145.3, 139.9, 141.8, 143.1, 142.7)
# a skewed pair, where BCa differs visibly from the percentile interval
s_cramp   <- c(0.8, 1.1, 1.3, 1.9, 2.4, 3.6, 5.2, 9.7)
s_control <- c(0.6, 0.7, 0.9, 1.0, 1.2, 1.4, 1.5, 1.7, 2.0, 2.2, 2.9)
# tiny samples for the exact permutation distribution, C(11, 5) = 462 splits
a <- c(1.1, 2.3, 0.4, 3.8, 2.9)
b <- c(0.2, 1.5, -0.7, 0.9, 1.8, -0.3)

mean_diff <- function(d, i) {
  d <- d[i, ]
  mean(d$value[d$group == "cramp"]) - mean(d$value[d$group == "control"])
}
long <- function(x, y) {
  data.frame(value = c(x, y),
             group = factor(rep(c("cramp", "control"), c(length(x), length(y))),
                            levels = c("cramp", "control")))
}

# ---- 1. BCa bootstrap CI, stratified by group, R = 2e5 ---------------------
# boot.ci's default acceleration, a = sum(L^3) / (6 * sum(L^2)^1.5), treats the
# stratified jackknife influence values L_i = +-(x_i - mean of its group) as one
# sample. Efron & Tibshirani (1993, eq. 15.36), which scipy.stats.bootstrap
# follows, weight each group's values by 1 / n_group. Passing L scaled that
# way gives the same acceleration as scipy (a constant factor cancels); the
# two agree only when the group sizes are equal.
bca <- function(x, y, conf = 0.95, R = 2e5, seed = 1) {
  d <- long(x, y)
  set.seed(seed)
  bt <- boot(d, mean_diff, R = R, strata = d$group)
  L <- empinf(bt, type = "jack")
  n_k <- ifelse(d$group == "cramp", length(x), length(y))
  L_et <- L / n_k
  ci <- boot.ci(bt, conf = conf, type = "bca")$bca
  ci_et <- boot.ci(bt, conf = conf, type = "bca", L = L_et)$bca
  cat(sprintf("bca(conf=%g, R=%g, seed=%d): t0 = %.15g\n", conf, R, seed, bt$t0))
  cat(sprintf("  boot.ci default L (a = %.6g): [%.15g, %.15g]\n",
              sum(L^3) / (6 * sum(L^2)^1.5), ci[4], ci[5]))
  cat(sprintf("  L / n_group, ET 15.36 (a = %.6g): [%.15g, %.15g]  width %.6g\n",
              sum(L_et^3) / (6 * sum(L_et^2)^1.5), ci_et[4], ci_et[5], ci_et[5] - ci_et[4]))
  cat(sprintf("  sd of bootstrap distribution: %.6g\n", sd(bt$t[, 1])))
  invisible(bt)
}
cat("## BCa: boot.ci(boot(d, mean_diff, R=2e5, strata=d$group), type='bca')\n")
cat("x_cramp vs x_control\n");   bca(x_cramp, x_control)
cat("x_cramp vs x_control, second seed (Monte-Carlo spread)\n"); bca(x_cramp, x_control, seed = 2)
cat("x_cramp vs x_control, conf = 0.90\n");   bca(x_cramp, x_control, conf = 0.90)
cat("s_cramp vs s_control (skewed)\n"); bca(s_cramp, s_control)
cat("s_cramp vs s_control, second seed (Monte-Carlo spread)\n"); bca(s_cramp, s_control, seed = 2)

# ---- 2. permutation test: exact enumeration with combn ---------------------
exact_perm <- function(x, y) {
  z <- c(x, y); n1 <- length(x)
  obs <- mean(x) - mean(y)
  idx <- combn(length(z), n1)                      # one split per column
  s1 <- colSums(matrix(z[idx], nrow = n1))
  null <- s1 / n1 - (sum(z) - s1) / length(y)
  tol <- 1e-9
  p_greater <- mean(null >= obs - tol)
  p_less <- mean(null <= obs + tol)
  p_abs <- mean(abs(null) >= abs(obs) - tol)
  cat(sprintf("splits = %d, statistic = %.15g\n", length(null), obs))
  cat(sprintf("  p_greater = %.15g\n  p_less = %.15g\n", p_greater, p_less))
  cat(sprintf("  p_two_sided (2*min one-sided, scipy convention) = %.15g\n",
              min(1, 2 * min(p_greater, p_less))))
  cat(sprintf("  p_two_sided (|T| >= |t|, coin convention) = %.15g\n", p_abs))
}
cat("\n## exact permutation of mean(a) - mean(b) over all combn(11, 5) splits\n")
exact_perm(a, b)
cat("coin::oneway_test(value ~ group, distribution = 'exact')\n")
d <- long(a, b)
for (alt in c("two.sided", "greater", "less")) {
  cat(sprintf("  %s: p = %.15g\n", alt,
              pvalue(oneway_test(value ~ group, data = d, distribution = "exact",
                                 alternative = alt))))
}

cat("\n## permutation p for x_cramp vs x_control (C(24, 10) = 1961256 splits)\n")
exact_perm(x_cramp, x_control)
d <- long(x_cramp, x_control)
cat("coin::oneway_test(value ~ group, distribution = 'exact')\n")
for (alt in c("two.sided", "greater", "less")) {
  cat(sprintf("  %s: p = %.15g\n", alt,
              pvalue(oneway_test(value ~ group, data = d, distribution = "exact",
                                 alternative = alt))))
}
cat("\n## exact permutation with tied values: c(1, 2, 2, 3) vs c(2, 3, 3, 4, 1), C(9, 4) = 126\n")
exact_perm(c(1, 2, 2, 3), c(2, 3, 3, 4, 1))
cat("\n## permutation p for s_cramp vs s_control (C(19, 8) = 75582 splits)\n")
exact_perm(s_cramp, s_control)

# ---- 3. asymptotic fallback: Welch t ---------------------------------------
cat("\n## t.test(x_cramp, x_control) (Welch)\n")
for (conf in c(0.95, 0.90)) {
  tt <- t.test(x_cramp, x_control, conf.level = conf)
  cat(sprintf("  conf %g: CI [%.15g, %.15g], t = %.15g, df = %.15g, p = %.15g\n",
              conf, tt$conf.int[1], tt$conf.int[2], tt$statistic, tt$parameter, tt$p.value))
}
for (alt in c("greater", "less")) {
  cat(sprintf("  %s: p = %.15g\n", alt, t.test(x_cramp, x_control, alternative = alt)$p.value))
}
