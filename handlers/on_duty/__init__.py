"""The on-duty group (中控室, the control room): what comes in outside office hours.

The manual: outside office hours a complaint goes at once to the control room, the duty staff
record it, the most senior manager on duty receives or handles it, and customer service follows it
up the next day. Here: the on-duty group gets a card for each new complaint and urgent repair
outside office hours, and the escalations of either that fall then; one of them taps **Received**;
as the office opens, the front desk gets the hand-over of what came in.
"""
