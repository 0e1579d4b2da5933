# Reference values for tests/test_adjusted.py: the cramp - control difference by
# post-only, change score and ANCOVA (post ~ group + pre) with classical (lm) and
# HC3 (sandwich::vcovHC(type = "HC3")) standard errors, on fixed datasets kept here:
#   adjusted_marathon.csv  a frozen copy of the bundled synthetic cohort's pre/post
#                          columns (data/marathon_synthetic.csv as of this commit)
#   anorexia.csv           MASS::anorexia, written by this script; CBT and FT each
#                          against Cont, with weight_pre/weight_post (lb)
#   mtcars.csv             datasets::mtcars, written by this script, group = cramp
#                          when am == 1 (manual), control otherwise
# Run from the repository root:
#   Rscript tests/reference/adjusted.R > tests/reference/adjusted.Rout
# Writes adjusted.csv (models), adjusted_welch.csv (Welch rows), adjusted_holm.csv.
options(digits = 15)
suppressPackageStartupMessages({
  library(MASS)
  library(sandwich)
  library(lmtest)
})
cat(R.version.string, "\n")
cat("sandwich", format(packageVersion("sandwich")), "lmtest", format(packageVersion("lmtest")), "\n")

an <- MASS::anorexia
export <- function(treat) {
  s <- an[an$Treat %in% c(treat, "Cont"), ]
  data.frame(subject_id = paste0(treat, "-", seq_len(nrow(s))),
             group = ifelse(s$Treat == treat, "cramp", "control"),
             weight_pre = s$Prewt, weight_post = s$Postwt)
}
anorexia <- rbind(cbind(contrast = "CBT", export("CBT")), cbind(contrast = "FT", export("FT")))
write.csv(anorexia, "tests/reference/anorexia.csv", row.names = FALSE)
mt <- cbind(car = rownames(mtcars), group = ifelse(mtcars$am == 1, "cramp", "control"), mtcars)
write.csv(mt, "tests/reference/mtcars.csv", row.names = FALSE)

level <- 0.95
margin_of <- c(sodium = 3, potassium = 0.5, chloride = 3, bicarbonate = 2, weight = 2)

fit_one <- function(dataset, d, base, analysis) {
  d <- d[!is.na(d[[paste0(base, "_pre")]]) & !is.na(d[[paste0(base, "_post")]]), ]
  d$cramp <- as.numeric(d$group == "cramp")
  d$pre <- d[[paste0(base, "_pre")]]
  d$post <- d[[paste0(base, "_post")]]
  d$change <- d$post - d$pre
  fit <- switch(analysis,
    post = lm(post ~ cramp, data = d),
    change = lm(change ~ cramp, data = d),
    ancova = lm(post ~ cramp + pre, data = d))
  df <- fit$df.residual
  classical <- coeftest(fit)                                   # vcov(fit), t with df.residual
  hc3 <- coeftest(fit, vcov. = vcovHC(fit, type = "HC3"))      # same t reference, HC3 SE
  ci_c <- coefci(fit, level = level)
  ci_h <- coefci(fit, vcov. = vcovHC(fit, type = "HC3"), level = level)
  est <- unname(coef(fit)["cramp"])
  se_h <- hc3["cramp", "Std. Error"]
  m <- unname(margin_of[base])
  tost_p <- max(pt((est + m) / se_h, df, lower.tail = FALSE), pt((est - m) / se_h, df))
  slope <- if (analysis == "ancova") coef(fit)["pre"] else NA
  slope_se_h <- if (analysis == "ancova") hc3["pre", "Std. Error"] else NA
  data.frame(dataset = dataset, variable = base, analysis = analysis, n = nrow(d), df = df,
             estimate = est,
             se_classical = classical["cramp", "Std. Error"], p_classical = classical["cramp", "Pr(>|t|)"],
             ci_low_classical = ci_c["cramp", 1], ci_high_classical = ci_c["cramp", 2],
             se_hc3 = se_h, p_hc3 = hc3["cramp", "Pr(>|t|)"],
             ci_low_hc3 = ci_h["cramp", 1], ci_high_hc3 = ci_h["cramp", 2],
             baseline_slope = unname(slope), baseline_slope_se_hc3 = unname(slope_se_h),
             margin = m, p_tost_hc3 = tost_p)
}

marathon <- read.csv("tests/reference/adjusted_marathon.csv")
jobs <- list(list("marathon", marathon, c("sodium", "potassium", "chloride", "bicarbonate")),
             list("anorexia_CBT", anorexia[anorexia$contrast == "CBT", ], "weight"),
             list("anorexia_FT", anorexia[anorexia$contrast == "FT", ], "weight"))
rows <- list()
for (job in jobs) for (base in job[[3]]) for (a in c("post", "change", "ancova"))
  rows[[length(rows) + 1]] <- fit_one(job[[1]], job[[2]], base, a)
out <- do.call(rbind, rows)
cat("\ncalls: fit <- lm(post ~ cramp | change ~ cramp | post ~ cramp + pre);",
    "coeftest(fit); coeftest(fit, vcov. = vcovHC(fit, type = 'HC3'));",
    "coefci(fit, vcov. = ..., level = 0.95); TOST p from pt() with the HC3 SE and df.residual\n")
print(out)
write.csv(out, "tests/reference/adjusted.csv", row.names = FALSE)

# Plasma-volume change (Dill & Costill 1974): Welch two-sample rows and TOST (margin 5).
marathon$pv_change <- 100 * ((marathon$haemoglobin_pre / marathon$haemoglobin_post) *
  (1 - marathon$haematocrit_post) / (1 - marathon$haematocrit_pre) - 1)
x <- marathon$pv_change[marathon$group == "cramp"]
y <- marathon$pv_change[marathon$group == "control"]
tt <- t.test(x, y)
t90 <- t.test(x, y, conf.level = 0.90)
tost <- max(t.test(x, y, mu = -5, alternative = "greater")$p.value,
            t.test(x, y, mu = 5, alternative = "less")$p.value)
welch <- data.frame(dataset = "marathon", variable = "pv_change",
                    estimate = unname(tt$estimate[1] - tt$estimate[2]),
                    ci_low = tt$conf.int[1], ci_high = tt$conf.int[2], df = unname(tt$parameter),
                    p = tt$p.value, ci90_low = t90$conf.int[1], ci90_high = t90$conf.int[2],
                    p_tost = tost)
cat("\ncalls: t.test(x, y); t.test(x, y, conf.level = 0.90); TOST by t.test(mu = -+5, alternative)\n")
print(welch)
write.csv(welch, "tests/reference/adjusted_welch.csv", row.names = FALSE)

# Holm within a family on mtcars (Welch p of manual - automatic): the p of hp
# alone, and hp in a six-variable family.
pw <- sapply(c("hp", "mpg", "wt", "qsec", "drat", "disp"),
             function(v) t.test(mt[mt$group == "cramp", v], mt[mt$group == "control", v])$p.value)
holm <- data.frame(variable = names(pw), p_welch = unname(pw),
                   p_holm_alone = unname(pw), p_holm_six = p.adjust(pw, method = "holm"))
holm$p_holm_alone[-1] <- NA
cat("\ncalls: t.test(x, y)$p.value; p.adjust(p, method = 'holm')\n")
print(holm)
write.csv(holm, "tests/reference/adjusted_holm.csv", row.names = FALSE)
