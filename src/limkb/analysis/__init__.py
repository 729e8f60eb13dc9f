"""The correlations recomputed from the datasets: pooling, statistics, robustness."""
