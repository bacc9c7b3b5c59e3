"""The front desk's lighter requests (an inquiry, a suggestion, a request for help), recorded as a
resident phones or walks in: `lifecycle` is their table, `common` their kind, buttons and card,
`record` what recording them and finishing them do."""
