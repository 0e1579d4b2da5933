# Reference values for tests/test_rank_tests.py.
# Run from this folder:  Rscript rank_tests.R > rank_tests.Rout 2>&1
# lawstat / brunnermunzel are not installed (no Debian package), so the
# Brunner-Munzel test is written out from its definition (Brunner & Munzel
# 2000, eqs. as in lawstat::brunner.munzel.test) as an independent reference.
options(digits = 15)
cat(R.version.string, "\n\n")

x_cramp   <- c(139.2, 141.5, 136.8, 144.1, 138.7, 140.3, 135.9, 142.6, 137.4, 143.8)
x_control <- c(140.1, 142.3, 139.5, 143.7, 141.2, 144.9, 138.8, 142.0, 140.6,
               145.3, 139.9, 141.8, 143.1, 142.7)
t_x <- c(3, 5, 5, 7, 8, 8, 9)
t_y <- c(1, 2, 3, 3, 5, 6, 6, 8)
big_x <- ((1:60) * 37) %% 101 + 0.25   # 60 distinct values
big_y <- ((1:55) * 53) %% 97 + 0.5     # 55 distinct values, none shared with big_x
edge_x <- ((1:50) * 37) %% 101 + 0.25  # n.x = 50 (not < 50): normal approximation
edge_y <- c(10.5, 20.5, 30.5, 40.5, 50.5)
s_cramp   <- c(0.8, 1.1, 1.3, 1.9, 2.4, 3.6, 5.2, 9.7)
s_control <- c(0.6, 0.7, 0.9, 1.0, 1.2, 1.4, 1.5, 1.7, 2.0, 2.2, 2.9)

show_wilcox <- function(label, x, y) {
  w <- wilcox.test(x, y)
  cat(sprintf("%s\n  W = %.15g, p = %.15g, method = %s\n", label, w$statistic, w$p.value,
              w$method))
}
cat("## wilcox.test(x, y) with defaults\n")
show_wilcox("x_cramp vs x_control (no ties, n < 50)", x_cramp, x_control)
show_wilcox("x_control vs x_cramp", x_control, x_cramp)
show_wilcox("t_x vs t_y (ties)", t_x, t_y)
show_wilcox("big_x vs big_y (n >= 50, no ties)", big_x, big_y)
show_wilcox("edge_x vs edge_y (n.x = 50, n.y = 5, no ties)", edge_x, edge_y)
show_wilcox("c(x_cramp, NA) vs x_control (NA dropped)", c(x_cramp, NA), x_control)

bm <- function(x, y) {
  n1 <- length(x); n2 <- length(y); N <- n1 + n2
  r <- rank(c(x, y)); r1 <- r[1:n1]; r2 <- r[(n1 + 1):N]
  ri1 <- rank(x); ri2 <- rank(y)
  m1 <- mean(r1); m2 <- mean(r2)
  S1 <- sum((r1 - ri1 - m1 + (n1 + 1) / 2)^2) / (n1 - 1)
  S2 <- sum((r2 - ri2 - m2 + (n2 + 1) / 2)^2) / (n2 - 1)
  stat <- n1 * n2 * (m2 - m1) / (N * sqrt(n1 * S1 + n2 * S2))
  df <- (n1 * S1 + n2 * S2)^2 / ((n1 * S1)^2 / (n1 - 1) + (n2 * S2)^2 / (n2 - 1))
  p <- 2 * min(pt(stat, df), pt(stat, df, lower.tail = FALSE))
  phat <- (m2 - (n2 + 1) / 2) / n1   # P(X < Y) + P(X = Y) / 2
  c(statistic = stat, df = df, p = p, phat = phat)
}
show_bm <- function(label, x, y) {
  r <- bm(x, y)
  cat(sprintf("%s\n  statistic = %.15g, df = %.15g, p = %.15g, p_hat = %.15g\n",
              label, r["statistic"], r["df"], r["p"], r["phat"]))
}
cat("\n## Brunner-Munzel, bm(x, y) defined above\n")
show_bm("x_cramp vs x_control", x_cramp, x_control)
show_bm("t_x vs t_y (ties)", t_x, t_y)
show_bm("s_cramp vs s_control", s_cramp, s_control)
