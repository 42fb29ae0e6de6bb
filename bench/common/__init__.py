"""What the benchmarks share: settings and databases (``config``), bulk loading of generated
rows (``rows``, ``load``), serving the app as the Procfile does and counting CPU (``serving``),
and an HTTP load generator (``loadgen``)."""
