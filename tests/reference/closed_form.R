# Reference values for the closed-form statistics modules of `analysis`
# (effect_size, equivalence, power, bayes, multiplicity, summaries).
#
# Run from this directory:  Rscript closed_form.R > closed_form.Rout
# The Python tests hard-code the printed values and paste the R call beside
# each one; they never need R to run.
options(digits = 15)
suppressPackageStartupMessages({
  library(metafor)
  library(pwr)
  library(BayesFactor)
})
cat("R:", R.version.string, "\n")
cat("metafor", format(packageVersion("metafor")), " pwr", format(packageVersion("pwr")),
    " BayesFactor", format(packageVersion("BayesFactor")), "\n\n")

# Small fixed data vectors, typed identically into the Python tests.
na_cramp   <- c(141.2, 139.5, 143.8, 140.1, 142.6, 138.9, 144.0, 141.7)               # n = 8
na_control <- c(140.8, 142.1, 139.6, 141.3, 143.2, 140.5, 138.7, 142.9, 141.0, 139.9, 142.4)  # n = 11
k_cramp    <- c(4.6, 4.9, 4.3, 5.1, 4.7, 4.4, 4.8, 5.0)
k_control  <- c(4.5, 4.2, 4.7, 4.4, 4.6, 4.3, 4.8, 4.1, 4.5, 4.6, 4.4)

# Vectors with exactly a given mean and SD, so that t.test() on them reproduces
# a test computed from published summaries.
exact <- function(n, m, s) { z <- seq_len(n) - (n + 1) / 2; m + s * z / sd(z) }

show <- function(label, value) { cat(label, "\n"); print(value); cat("\n") }

cat("==== effect_size: escalc(measure = 'SMD') ====\n")
smd <- function(x, y, level = 95) {
  es <- escalc(measure = "SMD", m1i = mean(x), sd1i = sd(x), n1i = length(x),
               m2i = mean(y), sd2i = sd(y), n2i = length(y))
  s <- summary(es, level = level)
  c(yi = es$yi, vi = es$vi, ci.lb = s$ci.lb, ci.ub = s$ci.ub)
}
show("smd(na_cramp, na_control)", smd(na_cramp, na_control))
show("smd(k_cramp, k_control)", smd(k_cramp, k_control))
show("smd(k_cramp, k_control, level = 90)", smd(k_cramp, k_control, level = 90))
es <- escalc(measure = "SMD", m1i = 139.8, sd1i = 3.1, n1i = 21, m2i = 142.3, sd2i = 2.1, n2i = 22)
show("summary(escalc('SMD', m1i=139.8, sd1i=3.1, n1i=21, m2i=142.3, sd2i=2.1, n2i=22))",
     c(yi = es$yi, vi = es$vi, ci.lb = summary(es)$ci.lb, ci.ub = summary(es)$ci.ub))

cat("==== equivalence: two one-sided Welch t tests ====\n")
tost <- function(x, y, m, alpha = 0.05) {
  lo <- t.test(x, y, mu = -m, alternative = "greater")
  up <- t.test(x, y, mu = m, alternative = "less")
  ci <- t.test(x, y, conf.level = 1 - 2 * alpha)$conf.int
  c(p_lower = lo$p.value, p_upper = up$p.value, df = unname(lo$parameter),
    ci_low = ci[1], ci_high = ci[2])
}
show("tost(na_cramp, na_control, 3)", tost(na_cramp, na_control, 3))
show("tost(na_cramp, na_control, 1)", tost(na_cramp, na_control, 1))
show("tost(k_cramp, k_control, 0.5)", tost(k_cramp, k_control, 0.5))
show("tost(k_cramp, k_control, 0.5, alpha = 0.025)", tost(k_cramp, k_control, 0.5, alpha = 0.025))
for (m in c(0.5, 1, 2, 3)) show(sprintf("tost(na_cramp, na_control, %g)$p_tost", m),
                                max(tost(na_cramp, na_control, m)[1:2]))
show("tost(exact(21, 139.8, 3.1), exact(22, 142.3, 2.1), 3)",
     tost(exact(21, 139.8, 3.1), exact(22, 142.3, 2.1), 3))

cat("==== power: pwr.t2n.test ====\n")
show("pwr.t2n.test(n1 = 15, n2 = 67, d = 0.5)$power", pwr.t2n.test(n1 = 15, n2 = 67, d = 0.5)$power)
show("pwr.t2n.test(n1 = 8, n2 = 11, d = 1, sig.level = 0.01)$power",
     pwr.t2n.test(n1 = 8, n2 = 11, d = 1, sig.level = 0.01)$power)
show("pwr.t2n.test(n1 = 100, n2 = 100, d = 2)$power", pwr.t2n.test(n1 = 100, n2 = 100, d = 2)$power)
show("1 - pwr.t2n.test(n1 = 100, n2 = 100, d = 0.6)$power",
     1 - pwr.t2n.test(n1 = 100, n2 = 100, d = 0.6)$power)
show("pwr.t2n.test(n1 = 5000, n2 = 5000, d = 0.1)$power", pwr.t2n.test(n1 = 5000, n2 = 5000, d = 0.1)$power)
# pwr 1.3.0 solves d by uniroot() with its default tol (about 1.2e-4), too coarse
# for a 1e-6 comparison; solve pwr's own power function again with tol = 1e-12.
mde <- function(n1, n2, power, sig.level = 0.05) {
  uniroot(function(d) pwr.t2n.test(n1 = n1, n2 = n2, d = d, sig.level = sig.level)$power - power,
          c(1e-07, 10), tol = 1e-12)$root
}
show("pwr.t2n.test(n1 = 20, n2 = 20, d = 0.1)$power", pwr.t2n.test(n1 = 20, n2 = 20, d = 0.1)$power)
show("pwr.t2n.test(n1 = 15, n2 = 67, power = 0.8)$d (default tol)", pwr.t2n.test(n1 = 15, n2 = 67, power = 0.8)$d)
show("mde(15, 67, 0.8)", mde(15, 67, 0.8))
show("mde(8, 11, 0.9, sig.level = 0.01)", mde(8, 11, 0.9, sig.level = 0.01))
show("mde(5000, 5000, 0.99)", mde(5000, 5000, 0.99))
show("mde(100, 100, 0.99)", mde(100, 100, 0.99))
show("mde(3, 3, 0.8)", mde(3, 3, 0.8))

cat("==== bayes: ttestBF (rscale = 'medium') ====\n")
bf <- function(x, y) {
  b <- extractBF(ttestBF(x = x, y = y, rscale = "medium"))
  c(t = unname(t.test(x, y, var.equal = TRUE)$statistic), bf = b$bf, error = b$error)
}
show("bf(na_cramp, na_control)", bf(na_cramp, na_control))
show("bf(k_cramp, k_control)", bf(k_cramp, k_control))
na_control_centred <- na_control - mean(na_control) + mean(na_cramp)   # t = 0
show("bf(na_cramp, na_control - mean(na_control) + mean(na_cramp))", bf(na_cramp, na_control_centred))
show("bf(k_cramp + 1, k_control)", bf(k_cramp + 1, k_control))                 # large |t|
show("bf(na_cramp - 4, na_control)", bf(na_cramp - 4, na_control))           # large negative t
show("exp(ttest.tstat(t = 2.5, n1 = 15, n2 = 67, rscale = sqrt(2)/2)$bf)",
     exp(ttest.tstat(t = 2.5, n1 = 15, n2 = 67, rscale = sqrt(2) / 2)$bf))
show("exp(ttest.tstat(t = 1.2, n1 = 15, n2 = 67, rscale = 1)$bf)",
     exp(ttest.tstat(t = 1.2, n1 = 15, n2 = 67, rscale = 1)$bf))

cat("==== multiplicity: p.adjust(method = 'holm') ====\n")
show("p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.2), 'holm')",
     p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.2), "holm"))
show("p.adjust(c(0.01, 0.04, NA, 0.03, 0.005, NA, 0.2), 'holm')",
     p.adjust(c(0.01, 0.04, NA, 0.03, 0.005, NA, 0.2), "holm"))
show("p.adjust(c(0.5, 0.0001, 0.3, 0.0001), 'holm')", p.adjust(c(0.5, 0.0001, 0.3, 0.0001), "holm"))

cat("==== summaries: t.test on vectors with exactly the printed mean and SD ====\n")
tt <- function(x, y, var.equal) {
  r <- t.test(x, y, var.equal = var.equal)
  c(t = unname(r$statistic), df = unname(r$parameter), p = r$p.value,
    ci_low = r$conf.int[1], ci_high = r$conf.int[2])
}
both <- function(n1, m1, s1, n2, m2, s2) {
  x <- exact(n1, m1, s1); y <- exact(n2, m2, s2)
  show(sprintf("t.test(exact(%d, %g, %g), exact(%d, %g, %g)) Welch", n1, m1, s1, n2, m2, s2),
       tt(x, y, FALSE))
  show(sprintf("t.test(exact(%d, %g, %g), exact(%d, %g, %g), var.equal = TRUE)", n1, m1, s1, n2, m2, s2),
       tt(x, y, TRUE))
}
both(21, 139.8, 3.1, 22, 142.3, 2.1)   # Schwellnus 2004 sodium, reported p = 0.004
both(21, 0.73, 0.06, 22, 0.67, 0.08)   # Schwellnus 2004 magnesium, reported p = 0.03
both(2859, 140, 7, 7670, 139, 7)       # Kona sodium, reported p = .007
both(2859, 4.3, 0.7, 7670, 4.2, 0.6)   # Kona potassium, reported p < .001
es <- escalc(measure = "SMD", m1i = 0.73, sd1i = 0.06, n1i = 21, m2i = 0.67, sd2i = 0.08, n2i = 22)
show("summary(escalc('SMD', m1i=0.73, sd1i=0.06, n1i=21, m2i=0.67, sd2i=0.08, n2i=22))",
     c(yi = es$yi, vi = es$vi, ci.lb = summary(es)$ci.lb, ci.ub = summary(es)$ci.ub))
# Magnesium, one corner of the rounding box (p largest): means 0.725 vs 0.675, SDs 0.065 and 0.085
both(21, 0.725, 0.065, 22, 0.675, 0.085)
