# Reference for tests/test_margins.py: the shift of a group mean that raises the share
# of runners beyond a clinical decision limit by 5 percentage points (normal values).
#   shift = gap + sd * qnorm(pnorm(-gap / sd) + 0.05),  gap = |centre - limit|
# Run from the repository root:
#   Rscript tests/reference/margins.R > tests/reference/margins.Rout
options(digits = 15)
cat(R.version.string, "\n")
pooled <- function(n1, s1, n2, s2) sqrt(((n1 - 1) * s1^2 + (n2 - 1) * s2^2) / (n1 + n2 - 2))
anchors <- data.frame(
  variable = c("sodium", "potassium", "magnesium", "chloride", "bicarbonate"),
  centre = c(140, 4.25, 0.85, 101, 25.5),
  limit = c(135, 5.0, 0.70, 96, 22),
  sd = c(pooled(21, 3.1, 22, 2.1), pooled(2859, 0.7, 7670, 0.6), pooled(21, 0.06, 22, 0.08),
         2.33, 2.54))
gap <- abs(anchors$centre - anchors$limit)
anchors$share_before <- pnorm(-gap / anchors$sd)
anchors$shift_5pp <- gap + anchors$sd * qnorm(anchors$share_before + 0.05)
# the reviewer's example: sodium 140 -> 137 with SD 2.6: share below 135 before and after
anchors$share_after_3 <- pnorm(-(gap - c(3, NA, NA, NA, NA)) / anchors$sd)
print(anchors)
write.csv(anchors, "tests/reference/margins.csv", row.names = FALSE)
