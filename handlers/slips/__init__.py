"""Release slips (放行条): goods leave the estate only with a slip the front desk issued.

The manual: the front desk checks the applicant's identity and that their fees are paid, then
issues a slip; the guard checks the goods against it and that it is genuine, keeps it and lets the
goods out; goods that do not match go back to the front desk; the security manager reconciles the
day's slips every day and signs them off.
"""
