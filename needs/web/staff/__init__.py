"""The staff's pages of the needs domain, by task: dispatching needs, the lists, the
volunteers, the reports."""
