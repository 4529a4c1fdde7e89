#!/usr/bin/env Rscript
# Reference detector for the Samtrygg signal benchmark: surveillance::farringtonFlexible with the
# Noufaily et al. (2013) settings.
#
# Usage: Rscript farrington.R in.csv out.csv B ALPHA FROM TO
#   in.csv   long format with header: series,t,count   (t = 1-based week index, every series complete)
#   out.csv  series,t,count,expected,upperbound,alarm  for weeks FROM..TO (1-based, inclusive)
#   B        years back (b), ALPHA the threshold level (e.g. 0.01)
# Prints the elapsed seconds of the farringtonFlexible call on stderr as "elapsed=<s>".
# Debian packages: r-base-core r-cran-surveillance
suppressPackageStartupMessages(library(surveillance))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 6) stop("usage: farrington.R in.csv out.csv B ALPHA FROM TO")
d <- read.csv(args[1])
b <- as.integer(args[3]); alpha <- as.numeric(args[4])
from <- as.integer(args[5]); to <- as.integer(args[6])

ids <- sort(unique(d$series))
n_weeks <- max(d$t)
obs <- matrix(0L, nrow = n_weeks, ncol = length(ids))
obs[cbind(d$t, match(d$series, ids))] <- d$count
s <- sts(observed = obs, frequency = 52, start = c(2000, 1))  # integer epochs, 52-week years

control <- list(range = from:to, b = b, w = 3, reweight = TRUE, weightsThreshold = 2.58,
                noPeriods = 10, pastWeeksNotIncluded = 26, populationOffset = FALSE,
                thresholdMethod = "nbPlugin", alpha = alpha, trend = TRUE, pThresholdTrend = 0.05,
                limit54 = c(5, 4), glmWarnings = FALSE)
t0 <- Sys.time()
res <- farringtonFlexible(s, control = control)
elapsed <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
message(sprintf("elapsed=%.3f", elapsed))

weeks <- from:to
out <- data.frame(
  series = rep(ids, each = length(weeks)),
  t = rep(weeks, times = length(ids)),
  count = as.vector(observed(res)),
  expected = as.vector(res@control$mu0Vector),   # exp(eta0): the fitted mean, also when limit54 hides it
  upperbound = as.vector(upperbound(res)),       # NA when fewer than 5 cases in the last 4 weeks
  alarm = as.integer(as.vector(alarms(res)) %in% TRUE)
)
write.csv(out, args[2], row.names = FALSE)
