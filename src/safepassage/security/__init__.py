"""Security: the policy table, access chokepoints, field encryption, secrets, the audit chain."""
