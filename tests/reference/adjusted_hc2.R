# Reference values for tests/test_adjusted.py: HC2 standard errors with
# Satterthwaite degrees of freedom (Bell & McCaffrey 2002; Imbens & Kolesar 2016),
# computed by hand with matrices (clubSandwich is not installed here), on the same
# datasets as adjusted.R (adjusted_marathon.csv, anorexia.csv).
#   V    = sum_i a_i^2 e_i^2 / (1 - h_ii)      a = X (X'X)^-1 c, c picks the coefficient
#   (equal to sandwich::vcovHC(fit, type = "HC2"), checked below)
#   df   = tr(A)^2 / tr(A^2),  A = D M W M D,  D = diag(a_i / sqrt(1 - h_ii)), M = I - H,
#   W    = diag(sigma^2 of the runner's group), sigma_g^2 = sum_g e^2 / sum_g (1 - h_ii)
# (the variance of V under a working model in which each group has its own residual
# variance; W = identity gives Bell & McCaffrey's design-only df, reported as df_bm_identity).
# For the post-only model this is Welch's test exactly: t.test(x, y) columns below.
# Run from the repository root:
#   Rscript tests/reference/adjusted_hc2.R > tests/reference/adjusted_hc2.Rout
options(digits = 15)
suppressPackageStartupMessages(library(sandwich))
cat(R.version.string, "\n")
cat("sandwich", format(packageVersion("sandwich")), "\n")

level <- 0.95
hc2_satt <- function(fit, coef, group) {
  X <- model.matrix(fit)
  n <- nrow(X)
  XtXi <- solve(crossprod(X))
  H <- X %*% XtXi %*% t(X)
  h <- diag(H)
  M <- diag(n) - H
  e <- residuals(fit)
  cvec <- as.numeric(colnames(X) == coef)
  a <- drop(X %*% XtXi %*% cvec)
  v <- sum(a^2 * e^2 / (1 - h))
  sigma2 <- tapply(e^2, group, sum) / tapply(1 - h, group, sum)
  W <- diag(unname(sigma2[as.character(group)]))
  D <- diag(a / sqrt(1 - h))
  A <- D %*% M %*% W %*% M %*% D
  B <- D %*% M %*% D
  c(se = sqrt(v), se_sandwich = sqrt(vcovHC(fit, type = "HC2")[coef, coef]),
    df = sum(diag(A))^2 / sum(A * t(A)), df_bm_identity = sum(diag(B))^2 / sum(B * t(B)))
}

one <- function(dataset, d, base, analysis) {
  d <- d[!is.na(d[[paste0(base, "_pre")]]) & !is.na(d[[paste0(base, "_post")]]), ]
  d$cramp <- as.numeric(d$group == "cramp")
  d$pre <- d[[paste0(base, "_pre")]]
  d$post <- d[[paste0(base, "_post")]]
  d$change <- d$post - d$pre
  fit <- switch(analysis,
    post = lm(post ~ cramp, data = d),
    change = lm(change ~ cramp, data = d),
    ancova = lm(post ~ cramp + pre, data = d))
  r <- hc2_satt(fit, "cramp", d$group)
  est <- unname(coef(fit)["cramp"])
  q <- qt(1 - (1 - level) / 2, r[["df"]])
  slope <- if (analysis == "ancova") hc2_satt(fit, "pre", d$group) else c(se = NA, df = NA)
  # smallest margins: largest |limit| of the 1 - 2 alpha interval (unadjusted) and of the
  # 1 - 2 alpha / 3 interval (a family of m = 3 TOST tests, Bonferroni bound), alpha = 0.05
  widest <- function(m) max(abs(est + c(-1, 1) * qt(1 - 0.05 / m, r[["df"]]) * r[["se"]]))
  out <- data.frame(dataset = dataset, variable = base, analysis = analysis, estimate = est,
             smallest_margin = widest(1), smallest_margin_family3 = widest(3),
             se_hc2 = r[["se"]], se_hc2_sandwich = r[["se_sandwich"]], df_hc2 = r[["df"]],
             df_bm_identity = r[["df_bm_identity"]],
             p_hc2 = 2 * pt(abs(est / r[["se"]]), r[["df"]], lower.tail = FALSE),
             ci_low_hc2 = est - q * r[["se"]], ci_high_hc2 = est + q * r[["se"]],
             slope_se_hc2 = unname(slope[["se"]]), slope_df_hc2 = unname(slope[["df"]]),
             welch_df = NA, welch_p = NA, welch_ci_low = NA, welch_ci_high = NA)
  if (analysis == "post") {
    tt <- t.test(d$post[d$cramp == 1], d$post[d$cramp == 0])
    out$welch_df <- unname(tt$parameter); out$welch_p <- tt$p.value
    out$welch_ci_low <- tt$conf.int[1]; out$welch_ci_high <- tt$conf.int[2]
  }
  out
}

marathon <- read.csv("tests/reference/adjusted_marathon.csv")
anorexia <- read.csv("tests/reference/anorexia.csv")
jobs <- list(list("marathon", marathon, c("sodium", "potassium", "chloride", "bicarbonate")),
             list("anorexia_CBT", anorexia[anorexia$contrast == "CBT", ], "weight"),
             list("anorexia_FT", anorexia[anorexia$contrast == "FT", ], "weight"))
rows <- list()
for (job in jobs) for (base in job[[3]]) for (a in c("post", "change", "ancova"))
  rows[[length(rows) + 1]] <- one(job[[1]], job[[2]], base, a)
out <- do.call(rbind, rows)
cat("\nlargest |se_hc2 - sandwich HC2| / se:",
    max(abs(out$se_hc2 - out$se_hc2_sandwich) / out$se_hc2), "\n")
post <- out[out$analysis == "post", ]
cat("largest |df_hc2 - Welch df| (post-only):", max(abs(post$df_hc2 - post$welch_df)), "\n")
cat("largest |p_hc2 - Welch p| (post-only):", max(abs(post$p_hc2 - post$welch_p)), "\n")
print(out)
write.csv(out, "tests/reference/adjusted_hc2.csv", row.names = FALSE)
