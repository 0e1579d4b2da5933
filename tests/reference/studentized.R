# Reference values for the studentized permutation test and the bootstrap-t
# interval (tests/test_resampling.py). coin has no studentized permutation
# test and boot's bootstrap-t cannot share Python's resamples, so both are
# written out here and evaluated EXACTLY, by full enumeration.
# Run from this folder:  Rscript studentized.R > studentized.Rout 2>&1
# (about 5 minutes: the 3-vs-5,000 count and the 145,800,000 bootstrap pairs)
options(digits = 15)
cat(R.version.string, "\n\n")

welch_t <- function(x, y) {
  (mean(x) - mean(y)) / sqrt(var(x) / length(x) + var(y) / length(y))
}

# ---- 1. studentized permutation test: every split, Welch t of each --------
# Ties: statistics within 1e-9 * max(1, |t|) of the observed count as at least
# as extreme. Two-sided p = min(1, 2 * min(p_less, p_greater)) (scipy's
# convention, used by the Python code), and P(|T*| >= |t|) for comparison.
# A split with both group variances 0 has t = +-Inf (0 if the means are equal).
exact_studentized <- function(x, y, label) {
  z <- c(x, y); n1 <- length(x); n <- length(z)
  obs <- welch_t(x, y)
  idx <- combn(n, n1)
  zz <- matrix(z[idx], nrow = n1)
  s1 <- colSums(zz); q1 <- colSums(zz^2)
  s2 <- sum(z) - s1; q2 <- sum(z^2) - q1; n2 <- n - n1
  v1 <- (q1 - s1^2 / n1) / (n1 - 1); v2 <- (q2 - s2^2 / n2) / (n2 - 1)
  scale <- max((z - mean(z))^2)
  v1[v1 <= 1e-10 * scale] <- 0; v2[v2 <= 1e-10 * scale] <- 0
  d <- s1 / n1 - s2 / n2
  t <- d / sqrt(v1 / n1 + v2 / n2)
  t[is.nan(t)] <- 0
  tol <- if (is.finite(obs)) 1e-9 * max(1, abs(obs)) else 0
  p_greater <- mean(t >= obs - tol); p_less <- mean(t <= obs + tol)
  cat(sprintf("%s: splits = %d, welch t = %.15g\n", label, length(t), obs))
  cat(sprintf("  p_greater = %.15g\n  p_less = %.15g\n", p_greater, p_less))
  cat(sprintf("  p_two_sided = %.15g\n", min(1, 2 * min(p_greater, p_less))))
  cat(sprintf("  p_abs (|T*| >= |t|) = %.15g\n", mean(abs(t) >= abs(obs) - tol)))
}
a <- c(1.1, 2.3, 0.4, 3.8, 2.9)
b <- c(0.2, 1.5, -0.7, 0.9, 1.8, -0.3)
exact_studentized(a, b, "a vs b")
s_cramp   <- c(0.8, 1.1, 1.3, 1.9, 2.4, 3.6, 5.2, 9.7)
s_control <- c(0.6, 0.7, 0.9, 1.0, 1.2, 1.4, 1.5, 1.7, 2.0, 2.2, 2.9)
exact_studentized(s_cramp, s_control, "s_cramp vs s_control")
# 10 vs 10: 184,756 splits, enumerated by Python whatever n_resamples
u <- c(4.2, 5.1, 3.3, 6.8, 5.5, 4.9, 7.7, 3.9, 6.1, 12.4)
v <- c(4.0, 4.4, 3.8, 5.2, 4.6, 4.1, 4.9, 3.6, 4.3, 4.7)
exact_studentized(u, v, "u vs v")
# 10 vs 14: 1,961,256 splits: Python draws them (Monte-Carlo)
x_cramp   <- c(139.2, 141.5, 136.8, 144.1, 138.7, 140.3, 135.9, 142.6, 137.4, 143.8)
x_control <- c(140.1, 142.3, 139.5, 143.7, 141.2, 144.9, 138.8, 142.0, 140.6,
               145.3, 139.9, 141.8, 143.1, 142.7)
exact_studentized(x_cramp, x_control, "x_cramp vs x_control")
# two constant, different groups
exact_studentized(rep(5, 6), rep(7, 7), "five x6 vs seven x7")
cat("wilcox.test(rep(5, 6), rep(7, 7))$p.value =",
    sprintf("%.15g", suppressWarnings(wilcox.test(rep(5, 6), rep(7, 7))$p.value)), "\n")

# ---- 2. unstudentized permutation p, 3 values against 5,000 ----------------
# Controls: 5,000 deterministic lognormal quantiles (median 3, sdlog 0.5).
# The statistic is monotone in the sum S of the 3-value group, so the exact
# p counts the triples with S >= s_obs among all choose(5003, 3) = 2.09e10:
# for each pair i < j, the k > j with z_k >= s_obs - z_i - z_j.
small <- c(2.9, 3.4, 9.5)
ctrl <- qlnorm(ppoints(5000), meanlog = log(3), sdlog = 0.5)
z <- sort(c(small, ctrl)); n <- length(z); s_obs <- sum(small)
count_ge <- 0; count_le <- 0
for (i in 1:(n - 2)) {
  for (j in (i + 1):(n - 1)) {
    need <- s_obs - z[i] - z[j]
    # z[(j+1):n] is sorted; count values >= need - tol and <= need + tol
    tail <- z[(j + 1):n]
    count_ge <- count_ge + (length(tail) - findInterval(need - 1e-9, tail, left.open = TRUE))
    count_le <- count_le + findInterval(need + 1e-9, tail)
  }
}
total <- choose(n, 3)
cat(sprintf("\n3 vs 5000: splits = %.0f, mean diff = %.15g\n", total, mean(small) - mean(ctrl)))
cat(sprintf("  p_greater = %.15g\n  p_less = %.15g\n  p_two_sided = %.15g\n",
            count_ge / total, count_le / total, min(1, 2 * min(count_ge, count_le) / total)))
cat(sprintf("  Welch t.test p (the old fallback) = %.15g\n", t.test(small, ctrl)$p.value))

# ---- 3. bootstrap-t: the exact bootstrap distribution ----------------------
# Every ordered resample of each group (n1^n1 * n2^n2 equally likely pairs),
# T* = (d* - d) / se*; quantiles type 1 (inverse of the empirical CDF, numpy's
# "inverted_cdf"); interval [d - q(0.975) se, d - q(0.025) se].
all_resamples <- function(x) {
  n <- length(x)
  idx <- as.matrix(expand.grid(rep(list(seq_len(n)), n)))
  m <- matrix(x[idx], ncol = n)
  list(mean = rowMeans(m), var = apply(m, 1, var))
}
exact_boot_t <- function(x, y, label, conf = 0.95) {
  d <- mean(x) - mean(y); se <- sqrt(var(x) / length(x) + var(y) / length(y))
  rx <- all_resamples(x); ry <- all_resamples(y)
  num <- outer(rx$mean, ry$mean, "-") - d
  den <- sqrt(outer(rx$var / length(x), ry$var / length(y), "+"))
  t <- as.vector(num / den); t[is.nan(t)] <- 0
  a <- 1 - conf
  q <- quantile(t, c(a / 2, 1 - a / 2), type = 1, names = FALSE)
  cat(sprintf("%s: resamples = %d, d = %.15g, se = %.15g\n", label, length(t), d, se))
  cat(sprintf("  q_low = %.15g, q_high = %.15g\n", q[1], q[2]))
  cat(sprintf("  interval = [%.15g, %.15g]\n", d - q[2] * se, d - q[1] * se))
  grid <- c(-6, -4, -3, -2, -1, 0, 1, 2, 3, 4, 6)
  cat("  CDF grid:", paste(grid, collapse = ", "), "\n")
  cat("  CDF:", paste(sprintf("%.12g", sapply(grid, function(g) mean(t <= g))), collapse = ", "), "\n")
}
exact_boot_t(c(1.1, 2.3, 0.4, 3.8), c(0.2, 1.5, -0.7, 0.9, 1.8), "4 vs 5")
exact_boot_t(c(0.8, 1.3, 2.4, 5.2, 9.7), c(0.6, 0.9, 1.2, 1.5, 2.0, 2.9), "5 vs 6 skewed")
