"""The follow-up loop (RULES.md section 4, RV-1 to RV-8, and CP-2): return visits and their
satisfaction KPIs, the suggestions register, common issues answered by a posted notice, home
visits, and turning dissatisfied owners into satisfied ones."""
