"""A job that does nothing: the baseline for how fast a worker pool drains RQ jobs."""


def noop():
    return None
