import statistics


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * p / 100
    lower = int(k)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (k - lower)


def summary(latencies_ms, elapsed_s) -> str:
    return (
        f"{len(latencies_ms) / elapsed_s:8.1f} req/s   p50 {percentile(latencies_ms, 50):7.1f} ms   "
        f"p90 {percentile(latencies_ms, 90):7.1f} ms   p99 {percentile(latencies_ms, 99):7.1f} ms   "
        f"mean {statistics.fmean(latencies_ms):7.1f} ms"
    )
