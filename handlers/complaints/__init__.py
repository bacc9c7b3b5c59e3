"""The complaint procedure (投诉): one owner from intake to callback, deadlines by severity.

`intake` takes a resident's complaint and spots group complaints; `handling` is what the owner
does (triage, reply, route, resolve, explain an invalid one); `followup` holds the deadline timers,
the callback survey and the home visit of major complaints; `reports` answer /complaints and a
resident's /my. The complaints' monthly figures are their section of the reports
(handlers/reports/complaints.py).
"""
