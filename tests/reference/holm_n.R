# Reference values for analysis.multiplicity.holm(p, n=...): Holm within a family
# larger than the p-values given (R p.adjust with its argument n).
#
# Run from this directory:  Rscript holm_n.R > holm_n.Rout
options(digits = 15)
cat("R:", R.version.string, "\n\n")
show <- function(label, value) { cat(label, "\n"); print(value); cat("\n") }
# Schwellnus et al. (2004): two printed p-values of a family of 21 tests
show("p.adjust(c(0.004, 0.03), 'holm', n = 21)", p.adjust(c(0.004, 0.03), "holm", n = 21))
show("p.adjust(c(0.0049, 0.0092, 0.93, 0.36), 'holm', n = 21)",
     p.adjust(c(0.0049, 0.0092, 0.93, 0.36), "holm", n = 21))
# missing values are not counted in the p-values given, n is the family
show("p.adjust(c(0.01, NA, 0.03, 0.2), 'holm', n = 5)",
     p.adjust(c(0.01, NA, 0.03, 0.2), "holm", n = 5))
show("p.adjust(c(0.01, 0.04, 0.03), 'holm', n = 3)", p.adjust(c(0.01, 0.04, 0.03), "holm", n = 3))
