"""The repair procedure (报修): report, dispatch, accept, done, resident sign-off, callback survey.

`report` takes a resident's report and dispatches it; `work` is what staff do with the card;
`signoff` is the resident's confirmation and the callback survey; `deadlines` are the timers that
escalate; `views` answer /my and /queue. Every function takes a unit of work and stages changes
and messages in it; none of them sends anything or knows Telegram.
"""
