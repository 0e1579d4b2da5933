# Reference values for tests/test_meta.py: metafor's random-effects models
# (test = "z", "knha" and "adhoc", the modified Knapp-Hartung method).
# Run from the repository root:
#   Rscript tests/reference/meta.R > tests/reference/meta.Rout
# Writes tests/reference/meta.csv (long format: dataset, method, test, what, row,
# quantity, value) and tests/reference/meta_effects.csv (escalc's yi and vi).
#
# Datasets (k, what they exercise):
#   bcg        13  log risk ratios of dat.bcg (Colditz et al. 1994), metafor's classic;
#                  cumulative by year; Egger's test (regtest model = "lm")
#   normand_md  9  mean differences of dat.normand1999 (Normand 1999), escalc("MD")
#   normand_smd 9  Hedges' g of the same, escalc("SMD")
#   fixture_na  2  post-race sodium of tests/data/evidence_fixture.csv (k = 2)
#   homogeneous 4  a made-up tau^2 = 0 case (Q < k - 1)
# Convergence is tightened so that the comparison tests metafor's answer, not its
# stopping rule: REML threshold 1e-12, uniroot tol 1e-14 (PM and confint), and
# tau2.max 1e8 so that no search stops at metafor's default limit of 100.
options(digits = 15)
suppressPackageStartupMessages(library(metafor))
cat(R.version.string, "\n")
cat("metafor", as.character(packageVersion("metafor")), "\n")

ctrl <- list(threshold = 1e-12, maxiter = 10000, tol = 1e-14, tau2.max = 1e8)

bcg <- read.csv("tests/reference/dat_bcg.csv")
bcg <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
normand <- read.csv("tests/reference/dat_normand1999.csv")
nmd <- escalc(measure = "MD", m1i = m1i, sd1i = sd1i, n1i = n1i,
              m2i = m2i, sd2i = sd2i, n2i = n2i, data = normand)
nsmd <- escalc(measure = "SMD", m1i = m1i, sd1i = sd1i, n1i = n1i,
               m2i = m2i, sd2i = sd2i, n2i = n2i, data = normand)
fx <- read.csv("tests/data/evidence_fixture.csv", colClasses = "character")
fx <- fx[fx$variable == "sodium" & fx$time_point == "post" & fx$cramp_center != "", ]
fx <- escalc(measure = "MD", m1i = as.numeric(cramp_center), sd1i = as.numeric(cramp_spread),
             n1i = as.numeric(n_cramp), m2i = as.numeric(control_center),
             sd2i = as.numeric(control_spread), n2i = as.numeric(n_control), data = fx)
fx$year <- as.numeric(fx$year)
hom <- read.csv("tests/reference/homogeneous.csv")

datasets <- list(
  bcg = list(yi = bcg$yi, vi = bcg$vi, order = bcg$year),
  normand_md = list(yi = nmd$yi, vi = nmd$vi, order = seq_len(nrow(nmd))),
  normand_smd = list(yi = nsmd$yi, vi = nsmd$vi, order = seq_len(nrow(nsmd))),
  fixture_na = list(yi = fx$yi, vi = fx$vi, order = fx$year),
  homogeneous = list(yi = hom$yi, vi = hom$vi, order = seq_len(nrow(hom)))
)
effects <- rbind(
  data.frame(dataset = "bcg", row = seq_along(bcg$yi), yi = c(bcg$yi), vi = bcg$vi),
  data.frame(dataset = "normand_md", row = seq_along(nmd$yi), yi = c(nmd$yi), vi = nmd$vi),
  data.frame(dataset = "normand_smd", row = seq_along(nsmd$yi), yi = c(nsmd$yi), vi = nsmd$vi),
  data.frame(dataset = "fixture_na", row = seq_along(fx$yi), yi = c(fx$yi), vi = fx$vi),
  data.frame(dataset = "homogeneous", row = seq_along(hom$yi), yi = hom$yi, vi = hom$vi)
)
write.csv(effects, "tests/reference/meta_effects.csv", row.names = FALSE)

long <- function(dataset, method, test, what, row, values) {
  data.frame(dataset = dataset, method = method, test = test, what = what, row = row,
             quantity = names(values), value = unname(unlist(values)))
}
# one row of leave1out()/cumul() in our names (z or t statistic; cumul names its p "pvals")
pick <- function(obj, i) {
  get <- function(...) { for (n in c(...)) if (!is.null(obj[[n]])) return(obj[[n]][i]); NA }
  list(estimate = get("estimate"), se = get("se"), statistic = get("zval", "tval"),
       p_value = get("pval", "pvals"), ci_low = get("ci.lb"), ci_high = get("ci.ub"),
       q = get("Q"), q_p_value = get("Qp"), tau2 = get("tau2"), i2 = get("I2"), h2 = get("H2"))
}

rows <- list()
for (name in names(datasets)) {
  d <- datasets[[name]]
  for (method in c("REML", "DL", "PM")) {
    for (test in c("z", "knha", "adhoc")) {
      cat("\n==== ", name, ": rma(yi, vi, method = \"", method, "\", test = \"", test,
          "\", control = ctrl)\n", sep = "")
      fit <- rma(d$yi, d$vi, method = method, test = test, control = ctrl)
      print(fit)
      pr <- predict(fit)
      print(pr)
      ci <- confint(fit, control = ctrl)
      print(ci)
      rows[[length(rows) + 1]] <- long(name, method, test, "fit", 0, list(
        estimate = c(fit$beta), se = fit$se, statistic = fit$zval, p_value = fit$pval,
        ci_low = fit$ci.lb, ci_high = fit$ci.ub, pi_low = pr$pi.lb, pi_high = pr$pi.ub,
        tau2 = fit$tau2, tau2_ci_low = ci$random["tau^2", "ci.lb"],
        tau2_ci_high = ci$random["tau^2", "ci.ub"], i2 = fit$I2, h2 = fit$H2,
        q = fit$QE, q_p_value = fit$QEp))
      l1 <- leave1out(fit)
      cat("-- leave1out\n"); print(l1)
      cu <- suppressWarnings(cumul(fit, order = d$order))
      cat("-- cumul (order as given in 'order')\n"); print(cu)
      for (i in seq_along(l1$estimate)) {
        rows[[length(rows) + 1]] <- long(name, method, test, "leave1out", i, pick(l1, i))
      }
      for (i in seq_along(cu$estimate)) {
        rows[[length(rows) + 1]] <- long(name, method, test, "cumul", i, pick(cu, i))
      }
    }
  }
}
cat("\n==== bcg: regtest(rma(yi, vi), model = \"lm\")\n")
rt <- regtest(rma(bcg$yi, bcg$vi, control = ctrl), model = "lm")
print(rt)
cf <- coef(summary(rt$fit))
rows[[length(rows) + 1]] <- long("bcg", "REML", "z", "regtest", 0, list(
  slope = cf[2, 1], slope_se = cf[2, 2], statistic = rt$zval, df = rt$dfs, p_value = rt$pval))
out <- do.call(rbind, rows)
write.csv(out, "tests/reference/meta.csv", row.names = FALSE)
