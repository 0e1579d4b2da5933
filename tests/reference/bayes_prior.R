# Reference values for tests/test_bayes.py: JZS Bayes factors across prior
# scales and the largest BF01 a design can reach (BF01 at t = 0).
# Run from this folder:  Rscript bayes_prior.R > bayes_prior.Rout 2>&1
options(digits = 15)
suppressPackageStartupMessages(library(BayesFactor))
cat(R.version.string, "| BayesFactor", format(packageVersion("BayesFactor")), "\n\n")

scales <- c(0.5, sqrt(2) / 2, 1, sqrt(2))
# BayesFactor's own estimate and its reported proportional error; and the same
# integral (Rouder et al. 2009, eq. 1) by R's integrate() at rel.tol 1e-13 on
# the log-g scale, an independent second evaluation.
jzs_integral <- function(t, n1, n2, r) {
  N <- n1 * n2 / (n1 + n2); nu <- n1 + n2 - 2
  f <- function(u) {
    g <- exp(u)
    exp(-0.5 * log1p(N * g) - (nu + 1) / 2 * log1p(t^2 / ((1 + N * g) * nu)) +
        log(r) - 0.5 * log(2 * pi) - 0.5 * u - r^2 / (2 * g) +
        (nu + 1) / 2 * log1p(t^2 / nu))
  }
  integrate(f, -Inf, Inf, rel.tol = 1e-13, subdivisions = 1000L)$value
}
cases <- list(c(0, 15, 67), c(1.2, 15, 67), c(2.5, 15, 67), c(-0.8, 15, 67),
              c(0, 8, 11), c(2.31865150778593, 8, 11), c(0, 20, 20), c(0, 100, 400))
cat("t n1 n2 rscale bf10_BayesFactor properror bf10_integrate bf01\n")
for (cs in cases) for (r in scales) {
  res <- ttest.tstat(t = cs[1], n1 = cs[2], n2 = cs[3], rscale = r)
  bf <- exp(res$bf)
  cat(sprintf("%.15g %d %d %.15g %.15g %.3g %.15g %.15g\n", cs[1], cs[2], cs[3], r, bf,
              res$properror, jzs_integral(cs[1], cs[2], cs[3], r), 1 / bf))
}

cat("\n# ttestBF on data (the rscale argument as a number)\n")
x <- c(139.2, 141.5, 136.8, 144.1, 138.7, 140.3, 135.9, 142.6, 137.4, 143.8)
y <- c(140.1, 142.3, 139.5, 143.7, 141.2, 144.9, 138.8, 142.0, 140.6,
       145.3, 139.9, 141.8, 143.1, 142.7)
cat(sprintf("t (var.equal) = %.15g\n", t.test(x, y, var.equal = TRUE)$statistic))
for (r in scales) {
  b <- ttestBF(x = x, y = y, rscale = r)
  cat(sprintf("rscale %.15g: bf10 = %.15g (error %.3g)\n", r, extractBF(b)$bf, extractBF(b)$error))
}
