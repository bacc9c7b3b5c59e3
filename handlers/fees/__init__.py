"""Fees and arrears (欠费催缴): finance's list of open balances, and chasing them.

The manual: finance produces the monthly bills and a list of arrears; customer service chases
each unit that owes, one step after another while it still owes: the monthly payment notice, a
chase notice when it is overdue, a deadline notice saying late fees now accrue, then home visits
by the officer and by the assistant, then the customer-service centre and the office director.
"""
