"""The read side of approval workflows at scale: ``python -m bench.workflows.generate`` fills
``momoflow_bench``, then ``python -m bench.workflows`` times the queries and whole requests."""
