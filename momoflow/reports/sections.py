"""Each approval analytics table as rows, the one shape the page's CSV downloads and the JSON
API share: ``(columns, rows)`` where columns are ``[(key, heading)]`` and rows dicts."""

from momoflow.flows.schemas import iso
from momoflow.reports import approvals

HOUR = 3600


def hours(seconds):
    return None if seconds is None else round(seconds / HOUR, 2)


def summary(person, filters):
    result = approvals.summary(person, filters)
    columns = [("raised", "Raised"), ("approved", "Approved"), ("rejected", "Rejected"), ("withdrawn", "Withdrawn"),
               ("returned", "Returned at least once"), ("open", "Still open"), ("closed", "Closed"),
               ("cycleP50Hours", "Cycle time p50 (hours)"), ("cycleP90Hours", "Cycle time p90 (hours)"),
               ("waitingHours", "Average waiting on approvers (hours)"),
               ("reworkHours", "Average with the requester for rework (hours)")]
    row = {"raised": result.raised, "approved": result.approved, "rejected": result.rejected,
           "withdrawn": result.withdrawn, "returned": result.returned, "open": result.open, "closed": result.closed,
           "cycleP50Hours": hours(result.cycle_p50), "cycleP90Hours": hours(result.cycle_p90),
           "waitingHours": hours(result.average_waiting), "reworkHours": hours(result.average_rework)}
    return columns, [row]


def trend(person, filters):
    columns = [("week", "Week"), ("raised", "Raised"), ("closed", "Closed"),
               ("averageCycleHours", "Average cycle of those closed (hours)")]
    return columns, [{"week": point.week, "raised": point.raised, "closed": point.closed,
                      "averageCycleHours": hours(point.average_cycle)}
                     for point in approvals.trend(person, filters)]


TIMING_COLUMNS = [("decisions", "Decisions"), ("waitP50Hours", "Time to decide p50 (hours)"),
                  ("waitP90Hours", "Time to decide p90 (hours)"), ("onTimeRate", "On time (%)"),
                  ("breaches", "Breaches"), ("delegateShare", "Decided by a delegate (%)")]


def _timing(timing):
    return {"decisions": timing.decisions, "waitP50Hours": hours(timing.wait_p50),
            "waitP90Hours": hours(timing.wait_p90), "onTimeRate": timing.on_time_rate, "breaches": timing.breaches,
            "delegateShare": timing.delegate_share}


def levels(person, filters):
    columns = [("level", "Level"), *TIMING_COLUMNS, ("tatHours", "Average TAT (hours)")]
    return columns, [{"level": timing.label, **_timing(timing),
                      "tatHours": round(timing.tat_hours, 2) if timing.tat_hours is not None else None}
                     for timing in approvals.levels(person, filters)]


def _approver_row(timing):
    return {"approver": timing.label, "email": timing.email, **_timing(timing)}


def approvers(person, filters):
    columns = [("approver", "Approver"), ("email", "Email"), *TIMING_COLUMNS]
    return columns, [_approver_row(timing) for timing in approvals.approvers(person, filters)]


def bottlenecks(person, filters):
    columns = [("rank", "Rank"), ("approver", "Approver"), ("email", "Email"), *TIMING_COLUMNS,
               ("score", "p90 hours × decisions")]
    _, ranked = approvals.busiest_and_bottlenecks(person, filters)
    return columns, [{"rank": rank, **_approver_row(timing), "score": round(timing.bottleneck_score, 1)}
                     for rank, timing in enumerate(ranked, start=1)]


def queue(person, filters):
    columns = [("requestNumber", "Request"), ("title", "Title"), ("level", "Level"), ("holder", "Waiting on"),
               ("holderEmail", "Email"), ("waitingSince", "Waiting since (UTC)"), ("due", "Due (UTC)")]
    waiting, _ = approvals.queue(person, filters)
    return columns, [{"requestNumber": item.request.request_number, "title": item.request.title,
                      "level": f"{item.level.level_number}. {item.level.level_name}",
                      "holder": item.holder.display_name, "holderEmail": item.holder.email,
                      "waitingSince": iso(item.since), "due": iso(item.task.due_at)} for item in waiting]


def heat_map(person, filters):
    columns = [("weekday", "Weekday"), ("hour", "Hour"), ("decisions", "Decisions"), ("onTime", "On time")]
    heat = approvals.heat_map(person, filters)
    return columns, [{"weekday": approvals.WEEKDAYS[day], "hour": hour, "decisions": count, "onTime": on_time}
                     for (day, hour), (count, on_time) in sorted(heat.cells.items())]


SECTIONS = {"summary": summary, "trend": trend, "levels": levels, "approvers": approvers,
            "bottlenecks": bottlenecks, "queue": queue, "heatmap": heat_map}


def unknown_section():
    return f"No such report: choose one of {', '.join(SECTIONS)}"
