"""``POST /v1/flows/assign`` under gunicorn next to a bare Flask endpoint and the issue's naive
one: ``python -m bench.assign.generate`` seeds ``momoflow_bench_assign``, then ``python -m bench.assign``."""
