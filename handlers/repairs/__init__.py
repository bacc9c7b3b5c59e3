"""The repair procedure (报修): report, dispatch, accept, done, resident sign-off, callback survey.

`report` takes a resident's report and dispatches it; `work` is what staff do with the card;
`signoff` is the resident's confirmation and the callback survey; `deadlines` are the timers that
escalate; `views` answer /my and /queue. Paid work: `quote` is the technician's quote and the
resident's answer, `payment` the fees' payment the front desk records, `paid_summary` finance's
monthly summary. Every function takes a unit of work and stages changes
and messages in it; none of them sends anything or knows Telegram.
"""
